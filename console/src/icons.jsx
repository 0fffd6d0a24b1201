// Line icons (inline SVG: no icon font, nothing for the browser to lack).
const Svg = ({ children, size = 16 }) => (
  <svg class="icon-svg" viewBox="0 0 24 24" width={size} height={size} fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">
    {children}
  </svg>
);

export const FolderIcon = () => (
  <Svg>
    <path d="M3 6.5A1.5 1.5 0 0 1 4.5 5H9l2 2.5h8.5A1.5 1.5 0 0 1 21 9v9.5a1.5 1.5 0 0 1-1.5 1.5h-15A1.5 1.5 0 0 1 3 18.5z" />
  </Svg>
);
export const FileIcon = () => (
  <Svg>
    <path d="M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8z" />
    <path d="M14 3v5h5" />
  </Svg>
);
export const BucketIcon = () => (
  <Svg>
    <path d="M4 6h16l-1.8 13a2 2 0 0 1-2 1.7H7.8a2 2 0 0 1-2-1.7z" />
    <ellipse cx="12" cy="6" rx="8" ry="2.2" />
  </Svg>
);
export const RefreshIcon = () => (
  <Svg>
    <path d="M20 11a8 8 0 1 0-2.3 5.7" />
    <path d="M20 4v7h-7" />
  </Svg>
);
export const MenuIcon = () => (
  <Svg size={20}>
    <path d="M4 6h16M4 12h16M4 18h16" />
  </Svg>
);
export const BrowserIcon = () => (
  <Svg size={18}>
    <rect x="3" y="4" width="18" height="16" rx="2" />
    <path d="M3 9h18M8 4v16" />
  </Svg>
);
export const ClusterIcon = () => (
  <Svg size={18}>
    <rect x="3" y="3" width="7" height="7" rx="1.5" />
    <rect x="14" y="3" width="7" height="7" rx="1.5" />
    <rect x="3" y="14" width="7" height="7" rx="1.5" />
    <rect x="14" y="14" width="7" height="7" rx="1.5" />
  </Svg>
);
export const ChartIcon = () => (
  <Svg size={18}>
    <path d="M4 20V10M10 20V4M16 20v-7M22 20H2" />
  </Svg>
);
export const PeopleIcon = () => (
  <Svg size={18}>
    <circle cx="9" cy="8" r="3.5" />
    <path d="M2.5 20a6.5 6.5 0 0 1 13 0" />
    <path d="M16 4.5a3.5 3.5 0 0 1 0 7M18 14a6.5 6.5 0 0 1 3.5 6" />
  </Svg>
);
