/** The authenticated caller, as upstream's user.Info. */
export interface UserInfo {
  name: string;
  uid?: string;
  groups: string[];
}

/** The group whose members may do anything (the admin client certificate's O). */
export const MASTERS_GROUP = 'system:masters';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the authentication hook before any handler runs. */
    user: UserInfo;
  }
}
