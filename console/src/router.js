// A few lines of routing over the History API: the console's pages are paths (/browser/b/p/),
// which the console port answers with index.html.
import { useEffect, useState } from 'preact/hooks';

export function navigate(path, { replace = false } = {}) {
  if (path === location.pathname + location.search) return;
  history[replace ? 'replaceState' : 'pushState'](null, '', path);
  dispatchEvent(new Event('cairn:navigate'));
}

export function usePath() {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const update = () => setPath(location.pathname);
    addEventListener('popstate', update);
    addEventListener('cairn:navigate', update);
    return () => {
      removeEventListener('popstate', update);
      removeEventListener('cairn:navigate', update);
    };
  }, []);
  return path;
}

// /browser/<bucket>/<prefix...>: each segment URL-encoded.
export function browserPath(bucket, prefix = '') {
  if (!bucket) return '/browser';
  const rest = prefix ? `/${prefix.split('/').map(encodeURIComponent).join('/')}` : '/';
  return `/browser/${encodeURIComponent(bucket)}${rest}`;
}

export function parseBrowserPath(path) {
  const parts = path.replace(/^\/browser\/?/, '').split('/');
  const bucket = decodeURIComponent(parts.shift() || '');
  const prefix = parts.map(decodeURIComponent).join('/');
  return { bucket, prefix };
}
