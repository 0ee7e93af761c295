import { create } from 'zustand';

/** Browser mode: whether the server wants a login (set by a 401 anywhere, cleared by a login). */
interface SessionState {
  needsLogin: boolean;
  setNeedsLogin(v: boolean): void;
}

export const useSession = create<SessionState>((set) => ({
  needsLogin: false,
  setNeedsLogin: (needsLogin) => set({ needsLogin }),
}));
