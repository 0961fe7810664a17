import { userKey } from '../core/index.js';
import { openSessionStore } from '../main.js';
import { err, out } from './output.js';

const MEMORY_NOTE =
  'the configured session store is "memory": sessions live inside the running gateway process and ' +
  'cannot be seen from here. Use session.store: redis (or GATEHOUSE_SESSION_STORE=redis for both the ' +
  'gateway and this command) to manage sessions from the command line.';

function time(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

/**
 * `gatehouse sessions list USER`: live sessions of a user (`sub`; `--issuer` when several
 * identity providers are configured) in the deployment's session store.
 * @returns the exit code (2 when the configured store is `memory`, which only the gateway process sees).
 */
export async function runSessionsList(configFile: string, sub: string, issuer: string | undefined): Promise<number> {
  const opened = await openSessionStore(configFile);
  try {
    if (opened.kind === 'memory') {
      err(`gatehouse: ${MEMORY_NOTE}`);
      return 2;
    }
    const iss = issuer ?? opened.defaultIssuer;
    const sessions = await opened.store.listByUser(userKey({ issuer: iss, sub }));
    if (sessions.length === 0) {
      out(`no live sessions for ${sub} (${iss})`);
      return 0;
    }
    out('HANDLE            CREATED                   LAST SEEN                 EMAIL');
    for (const s of sessions) {
      out(`${s.handle.padEnd(17)} ${time(s.createdAt).padEnd(25)} ${time(s.lastSeenAt).padEnd(25)} ${s.email ?? ''}`);
    }
    return 0;
  } finally {
    await opened.store.close();
  }
}

/**
 * `gatehouse sessions revoke USER|SESSION`: revokes one session by handle, or every session
 * of a user (`sub`). A revoked session is refused on its next request, on every instance.
 * @returns the exit code: 0 when something was revoked, 1 otherwise.
 */
export async function runSessionsRevoke(configFile: string, target: string, issuer: string | undefined): Promise<number> {
  const opened = await openSessionStore(configFile);
  try {
    if (opened.kind === 'memory') {
      err(`gatehouse: ${MEMORY_NOTE}`);
      return 2;
    }
    if (await opened.store.revokeByHandle(target)) {
      out(`revoked session ${target}`);
      return 0;
    }
    const iss = issuer ?? opened.defaultIssuer;
    const count = await opened.store.revokeUser(userKey({ issuer: iss, sub: target }));
    if (count > 0) {
      out(`revoked ${count} session(s) of ${target} (${iss})`);
      return 0;
    }
    err(`no session with handle ${target} and no live sessions for user ${target} (${iss})`);
    return 1;
  } finally {
    await opened.store.close();
  }
}
