// A few lines of routing over the History API: the console's pages are paths (/browser/b/p/),
// which the console port answers with index.html.
import { useEffect, useState } from 'preact/hooks';

export function navigate(path, { replace = false } = {}) {
  if (path === location.pathname + location.search) return;
  history[replace ? 'replaceState' : 'pushState'](null, '', path);
  dispatchEvent(new Event('cairn:navigate'));
}

// The path and query (the object browser's folder travels in the query).
export function usePath() {
  const [path, setPath] = useState(location.pathname + location.search);
  useEffect(() => {
    const update = () => setPath(location.pathname + location.search);
    addEventListener('popstate', update);
    addEventListener('cairn:navigate', update);
    return () => {
      removeEventListener('popstate', update);
      removeEventListener('cairn:navigate', update);
    };
  }, []);
  return path;
}

// /browser/<bucket>?prefix=<folder>: the folder in the query, where no "." or ".." in a key
// can be taken for a path step.
export function browserPath(bucket, prefix = '') {
  if (!bucket) return '/browser';
  return `/browser/${encodeURIComponent(bucket)}${prefix ? `?prefix=${encodeURIComponent(prefix)}` : ''}`;
}

export function parseBrowserPath(path) {
  const [p, q = ''] = path.split('?');
  const bucket = decodeURIComponent(p.replace(/^\/browser\/?/, '').split('/')[0] || '');
  const prefix = new URLSearchParams(q).get('prefix') || '';
  return { bucket, prefix };
}
