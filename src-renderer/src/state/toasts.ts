import { create } from 'zustand';

export interface Toast {
  id: number;
  tone: 'info' | 'ok' | 'error';
  text: string;
}

interface ToastState {
  toasts: Toast[];
  show(tone: Toast['tone'], text: string): void;
  dismiss(id: number): void;
}

let nextId = 1;

/** Short notices ("Job 3: 6 instances in 2 requests"), read out by screen readers (aria-live). */
export const useToasts = create<ToastState>((set) => ({
  toasts: [],
  show: (tone, text) => {
    const id = nextId++;
    set((s) => ({ toasts: [...s.toasts.slice(-2), { id, tone, text }] }));
    if (tone !== 'error') setTimeout(() => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })), 5000);
  },
  dismiss: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
}));
