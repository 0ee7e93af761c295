import { create } from 'zustand';

export interface Toast {
  id: number;
  tone: 'info' | 'ok' | 'error';
  text: string;
  /** A notice about one thing (e.g. a scan) is replaced in place by the next one about it. */
  key?: string;
}

export interface ToastOptions {
  key?: string;
  /** Stays until replaced or dismissed (a notice about something still going on). */
  sticky?: boolean;
}

interface ToastState {
  toasts: Toast[];
  show(tone: Toast['tone'], text: string, options?: ToastOptions): void;
  dismiss(id: number): void;
  /** Removes the notice with this key, if any. */
  dismissKey(key: string): void;
}

let nextId = 1;
const AUTO_DISMISS_MS = 5000;

/** Short notices ("Job 3: 6 instances in 2 requests"), read out by screen readers (aria-live). */
export const useToasts = create<ToastState>((set) => ({
  toasts: [],
  show: (tone, text, o = {}) => {
    const id = nextId++;
    set((s) => {
      const toast: Toast = { id, tone, text, ...(o.key ? { key: o.key } : {}) };
      const same = o.key ? s.toasts.findIndex((t) => t.key === o.key) : -1;
      if (same >= 0) return { toasts: s.toasts.map((t, i) => (i === same ? toast : t)) };
      return { toasts: [...s.toasts.slice(-2), toast] };
    });
    if (tone !== 'error' && !o.sticky) setTimeout(() => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })), AUTO_DISMISS_MS);
  },
  dismiss: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
  dismissKey: (key) => set((s) => ({ toasts: s.toasts.filter((t) => t.key !== key) })),
}));
