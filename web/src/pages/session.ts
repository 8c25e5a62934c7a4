/** The signed-in user as pages read it: who, and whether they may change things. */
import { createContext, useContext } from "react";
import type { Role, UserView } from "../api/types.js";

/** What the app knows of the session. */
export interface Session {
  /** Null until `GET /auth/me` answers (or when signed out). */
  user: UserView | null;
  /** Remembers the user a sign-in returned. */
  setUser: (user: UserView | null) => void;
}

/** The session of the app (provided by App). */
export const SessionContext = createContext<Session>({ user: null, setUser: () => undefined });

/** The session of the app. */
export function useSession(): Session {
  return useContext(SessionContext);
}

const RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2 };

/** True when `user` has at least `role`; an unknown user (still loading) has none. */
export function hasRole(user: UserView | null, role: Role): boolean {
  return user !== null && (RANK[user.role] ?? -1) >= RANK[role];
}
