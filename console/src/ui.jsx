// Shared pieces: dialogs (focus kept inside, Escape closes), notices, empty and loading states.
import { useEffect, useRef, useState } from 'preact/hooks';

export function Dialog({ title, onClose, children, wide, testid }) {
  const ref = useRef(null);
  useEffect(() => {
    const prev = document.activeElement;
    const el = ref.current;
    const first = el.querySelector('input, select, textarea, button:not(.dialog-close)');
    (first || el).focus();
    const onKey = (e) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        onClose();
      } else if (e.key === 'Tab') {
        const items = Array.from(el.querySelectorAll('a[href], button, input, select, textarea, [tabindex="0"]')).filter(
          (x) => !x.disabled,
        );
        if (!items.length) return;
        const [a, b] = [items[0], items[items.length - 1]];
        if (e.shiftKey && document.activeElement === a) {
          e.preventDefault();
          b.focus();
        } else if (!e.shiftKey && document.activeElement === b) {
          e.preventDefault();
          a.focus();
        }
      }
    };
    el.addEventListener('keydown', onKey);
    return () => {
      el.removeEventListener('keydown', onKey);
      prev?.focus?.();
    };
  }, []);
  return (
    <div class="backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        class={`dialog${wide ? ' wide' : ''}`}
        role="dialog"
        aria-modal="true"
        aria-label={title}
        ref={ref}
        tabindex="-1"
        data-testid={testid}
      >
        <header>
          <h2>{title}</h2>
          <button class="icon dialog-close" aria-label="Close" onClick={onClose}>
            ×
          </button>
        </header>
        <div class="dialog-body">{children}</div>
      </div>
    </div>
  );
}

export function Confirm({ title, message, action = 'Delete', danger = true, onConfirm, onClose }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const go = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      onClose();
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  return (
    <Dialog title={title} onClose={onClose} testid="confirm">
      <p>{message}</p>
      <ErrorNote error={error} />
      <div class="actions">
        <button onClick={onClose}>Cancel</button>
        <button class={danger ? 'danger' : 'primary'} onClick={go} disabled={busy}>
          {busy ? 'Working…' : action}
        </button>
      </div>
    </Dialog>
  );
}

export function ErrorNote({ error }) {
  if (!error) return null;
  return (
    <div class="error" role="alert">
      {error.code && error.code !== 'LoginFailed' ? <strong>{error.code}: </strong> : null}
      {error.message}
    </div>
  );
}

export function Loading({ label = 'Loading…' }) {
  return (
    <div class="loading" role="status">
      <span class="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export function Empty({ title, children }) {
  return (
    <div class="empty">
      <h3>{title}</h3>
      {children}
    </div>
  );
}

let toastId = 0;
const listeners = new Set();

export function toast(message, kind = 'info') {
  const t = { id: ++toastId, message, kind };
  for (const l of listeners) l(t);
}

export function Toasts() {
  const [items, setItems] = useState([]);
  useEffect(() => {
    const add = (t) => {
      setItems((xs) => [...xs, t]);
      setTimeout(() => setItems((xs) => xs.filter((x) => x.id !== t.id)), 4000);
    };
    listeners.add(add);
    return () => listeners.delete(add);
  }, []);
  return (
    <div class="toasts" aria-live="polite">
      {items.map((t) => (
        <div key={t.id} class={`toast ${t.kind}`}>
          {t.message}
        </div>
      ))}
    </div>
  );
}
