import { useEffect, useState } from 'preact/hooks';
import { getSession, login, logout, setSignedOutHandler } from './api.js';
import { navigate, usePath } from './router.js';
import { ErrorNote, Loading, Toasts, toast } from './ui.jsx';
import { Buckets } from './pages/buckets.jsx';
import { ObjectBrowser } from './pages/objects.jsx';
import { BrowserIcon, ChartIcon, ClusterIcon, MenuIcon, PeopleIcon } from './icons.jsx';
import { Identity } from './pages/identity.jsx';
import { Metrics } from './pages/metrics.jsx';
import { Cluster } from './pages/cluster.jsx';

function Logo() {
  return (
    <svg viewBox="0 0 32 32" width="28" height="28" aria-hidden="true">
      <path d="M6 26h20l-3-5H9zM9 20h14l-2.5-5h-9zM12 14h8l-4-8z" fill="currentColor" />
    </svg>
  );
}

function Login({ onSignedIn, notice }) {
  const [accessKey, setAccessKey] = useState('');
  const [secretKey, setSecretKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await login(accessKey, secretKey));
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <main class="login">
      <form class="login-card" onSubmit={submit} aria-label="Sign in">
        <div class="brand">
          <Logo />
          <span>cairn</span>
        </div>
        <h1>Sign in</h1>
        {notice ? <div class="notice">{notice}</div> : null}
        <label>
          Access key
          <input
            name="accessKey"
            autocomplete="username"
            value={accessKey}
            onInput={(e) => setAccessKey(e.currentTarget.value)}
            required
            autofocus
          />
        </label>
        <label>
          Secret key
          <input
            name="secretKey"
            type="password"
            autocomplete="current-password"
            value={secretKey}
            onInput={(e) => setSecretKey(e.currentTarget.value)}
            required
          />
        </label>
        <ErrorNote error={error} />
        <button class="primary" type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p class="hint">The root user, an IAM user or a service account. Your keys are exchanged for a session and never kept in the browser.</p>
      </form>
    </main>
  );
}

const NAV = [
  { path: '/browser', label: 'Object Browser', Icon: BrowserIcon },
  { path: '/cluster', label: 'Cluster', Icon: ClusterIcon, needs: 'admin:ServerInfo' },
  { path: '/metrics', label: 'Metrics', Icon: ChartIcon, needs: ['admin:Prometheus', 'admin:ServerInfo'] },
  { path: '/identity', label: 'Identity', Icon: PeopleIcon, needs: ['admin:ListUsers', 'admin:ListUserPolicies', 'admin:ListServiceAccounts'] },
];

function allowedTo(session, needs) {
  if (!needs) return true;
  return (Array.isArray(needs) ? needs : [needs]).some((a) => session.allowed?.[a]);
}

function Layout({ session, onSignOut, children }) {
  const path = usePath();
  const [menu, setMenu] = useState(false);
  return (
    <div class={`layout${menu ? ' menu-open' : ''}`}>
      <aside class="sidebar">
        <div class="brand">
          <Logo />
          <span>cairn</span>
        </div>
        <nav aria-label="Main">
          {NAV.filter((n) => allowedTo(session, n.needs)).map((n) => (
            <a
              key={n.path}
              href={n.path}
              class={path.startsWith(n.path) ? 'active' : ''}
              aria-current={path.startsWith(n.path) ? 'page' : undefined}
              onClick={(e) => {
                e.preventDefault();
                setMenu(false);
                navigate(n.path);
              }}
            >
              <n.Icon /> {n.label}
            </a>
          ))}
        </nav>
      </aside>
      <div class="main">
        <header class="topbar">
          <button class="icon menu-button" aria-label="Menu" onClick={() => setMenu(!menu)}>
            <MenuIcon />
          </button>
          <div class="spacer" />
          <span class="user" data-testid="user">
            {session.user}
            <small>{session.kind === 'serviceaccount' ? 'service account' : session.kind}</small>
          </span>
          <button onClick={onSignOut} data-testid="sign-out">
            Sign out
          </button>
        </header>
        <main class="content">{children}</main>
      </div>
    </div>
  );
}

export function App() {
  const [session, setSession] = useState(undefined);
  const [notice, setNotice] = useState('');
  const path = usePath();

  useEffect(() => {
    setSignedOutHandler((err) => {
      setSession(null);
      setNotice(err.code === 'SessionExpired' ? 'Your session expired: sign in again.' : 'Please sign in.');
    });
    getSession()
      .then((s) => setSession(s))
      .catch(() => setSession(null));
  }, []);

  // The session's own expiry: back to the sign-in page when it comes.
  useEffect(() => {
    if (!session) return undefined;
    const ms = session.expiresAt - Date.now();
    const t = setTimeout(() => {
      setSession(null);
      setNotice('Your session expired: sign in again.');
    }, Math.max(0, Math.min(ms, 2 ** 31 - 1)));
    return () => clearTimeout(t);
  }, [session]);

  useEffect(() => {
    if (session && (path === '/' || path.startsWith('/login'))) navigate('/browser', { replace: true });
  }, [session, path]);

  if (session === undefined) return <Loading />;
  if (!session) {
    return (
      <>
        <Login
          notice={notice}
          onSignedIn={(s) => {
            setNotice('');
            setSession(s);
          }}
        />
        <Toasts />
      </>
    );
  }
  const signOut = async () => {
    try {
      await logout();
    } catch (e) {
      toast(e.message, 'error');
    }
    setSession(null);
    setNotice('You signed out.');
  };
  let page = null;
  const route = path.split('?')[0];
  if (route === '/browser' || route === '/browser/') page = <Buckets session={session} />;
  else if (route.startsWith('/browser/')) page = <ObjectBrowser path={path} session={session} />;
  else if (route === '/cluster') page = <Cluster session={session} />;
  else if (route === '/metrics') page = <Metrics session={session} />;
  else if (route === '/identity') page = <Identity session={session} />;
  else page = <Buckets session={session} />;
  return (
    <>
      <Layout session={session} onSignOut={signOut}>
        {page}
      </Layout>
      <Toasts />
    </>
  );
}
