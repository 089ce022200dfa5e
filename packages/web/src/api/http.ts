import type { ApiDirectoryListing, ApiFileContent, ApiFileLimits, ApiFileDeleted, ApiFileMoved, ApiFileWritten, ApiProject } from '@nanoclaw/protocol';
import type { ApiAuthMode, ApiBranchResult, ApiConversation, ApiConversationDetail, ApiDeleted, ApiLoginResult, ApiMessage, ApiModel, ApiStopResult, ApiTokenStats, ApiUser, Attachment } from '@nanoclaw/protocol';
import type { ApiSearchHit, ConversationSettings, Page, StatsPeriod } from '@nanoclaw/protocol';
import type { ApiAllQuotas, ApiOwnQuota, ApiQuotaUse, ApiUserQuota, UserLimitsBody } from '@nanoclaw/protocol';
import type { ApiAdminApiKey, ApiApiKey, ApiCreatedApiKey } from '@nanoclaw/protocol';
import { authHeaders, notifyUnauthorized } from '../lib/session';

export type { ApiDirectoryListing, ApiFileContent, ApiProject };
export type { ApiConversation, ApiLoginResult, ApiMessage, ApiModel, ApiSearchHit, ApiUser, Attachment, Page };
export type { ApiQuotaUse, ApiUserQuota, UserLimitsBody };
export type { ApiAdminApiKey, ApiApiKey, ApiCreatedApiKey };
export type { ApiConversationDetail as ConversationDetail, ApiTokenStats as TokenStats, ConversationSettings };

/** A failed API call, with the server's sentence (already written for people). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Reads an error envelope (or anything else) into an ApiError. */
export async function errorFrom(res: Response): Promise<ApiError> {
  // A refused sign-in is not the end of a session.
  if (res.status === 401 && !/\/api\/auth\/(login|oidc\/)/.test(res.url)) notifyUnauthorized();
  let message = `${res.status} ${res.statusText}`;
  try {
    const body = (await res.json()) as { message?: string };
    if (body && typeof body.message === 'string') message = body.message;
  } catch {
    /* not JSON */
  }
  return new ApiError(res.status, message);
}

export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: { accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...authHeaders() },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
  } catch {
    throw new ApiError(0, 'network');
  }
  if (!res.ok) throw await errorFrom(res);
  const envelope = (await res.json()) as { code: number; data: T; message?: string };
  if (envelope.code !== 0) throw new ApiError(envelope.code, envelope.message ?? 'error');
  return envelope.data;
}

const enc = encodeURIComponent;
const filePath = (path: string) => path.split('/').filter(Boolean).map(enc).join('/');

export const api = {
  authMode: () => request<ApiAuthMode>('GET', '/api/auth/mode'),
  /** Trades the single sign-on hand-off cookie for a token. */
  oidcSession: () => request<ApiLoginResult>('POST', '/api/auth/oidc/session'),
  profile: () => request<ApiUser>('GET', '/api/auth/profile'),
  login: (username: string, password: string) => request<ApiLoginResult>('POST', '/api/auth/login', { username, password }),
  register: (username: string, password: string, email?: string) =>
    request<ApiLoginResult>('POST', '/api/auth/register', { username, password, ...(email ? { email } : {}) }),
  models: () => request<ApiModel[]>('GET', '/api/models'),
  /** `pinned`: only pinned (true) or only unpinned (false) conversations; absent: all. */
  listConversations: (cursor?: string | null, limit = 30, projectId?: string | null, pinned?: boolean) =>
    request<Page<ApiConversation>>(
      'GET',
      `/api/conversations?limit=${limit}${cursor ? `&cursor=${enc(cursor)}` : ''}${projectId ? `&project_id=${enc(projectId)}` : ''}${pinned === undefined ? '' : `&pinned=${pinned}`}`,
    ),
  /** The user's titles and messages matching every word of `q` (at least one of 3+ characters), best first. */
  search: (q: string, cursor?: string | null, limit = 20) =>
    request<Page<ApiSearchHit>>('GET', `/api/search?q=${enc(q)}&limit=${limit}${cursor ? `&cursor=${enc(cursor)}` : ''}`),
  setPinned: (id: string, pinned: boolean) => request<ApiConversation>('PATCH', `/api/conversations/${enc(id)}`, { pinned }),
  listProjects: () => request<ApiProject[]>('GET', '/api/projects'),
  listFiles: (projectId: string, path = '') => request<ApiDirectoryListing>('GET', `/api/projects/${enc(projectId)}/files?path=${enc(path)}`),
  readFile: (projectId: string, path: string) => request<ApiFileContent>('GET', `/api/projects/${enc(projectId)}/files/${filePath(path)}`),
  /** `createOnly`: 409 instead of replacing a file that already exists. */
  writeFile: (projectId: string, path: string, content: string, createOnly = false) =>
    request<ApiFileWritten>('PUT', `/api/projects/${enc(projectId)}/files/${filePath(path)}`, { content, ...(createOnly ? { create_only: true } : {}) }),
  fileLimits: () => request<ApiFileLimits>('GET', '/api/files/limits'),
  moveFile: (projectId: string, path: string, newPath: string) =>
    request<ApiFileMoved>('PATCH', `/api/projects/${enc(projectId)}/files/${filePath(path)}`, { new_path: newPath }),
  deleteFile: (projectId: string, path: string) => request<ApiFileDeleted>('DELETE', `/api/projects/${enc(projectId)}/files/${filePath(path)}`),
  makeDirectory: (projectId: string, path: string) => request<ApiFileWritten>('POST', `/api/projects/${enc(projectId)}/directories`, { path }),
  createProject: (name: string) => request<ApiProject>('POST', '/api/projects', { name }),
  createConversation: (fields: ConversationSettings = {}) => request<ApiConversation>('POST', '/api/conversations', fields),
  getConversation: (id: string) => request<ApiConversationDetail>('GET', `/api/conversations/${enc(id)}`),
  updateConversation: (id: string, fields: ConversationSettings) => request<ApiConversation>('PATCH', `/api/conversations/${enc(id)}`, fields),
  deleteConversation: (id: string) => request<ApiDeleted>('DELETE', `/api/conversations/${enc(id)}`),
  /** `backward`: the newest messages first (each page still oldest first); `next_cursor` leads to older ones. */
  /** The active path; `all`: every message of the conversation's tree, in creation order. */
  listMessages: (id: string, cursor?: string | null, limit = 100, direction: 'forward' | 'backward' = 'forward', all = false) =>
    request<Page<ApiMessage>>(
      'GET',
      `/api/conversations/${enc(id)}/messages?limit=${limit}${direction === 'backward' ? '&direction=backward' : ''}${cursor ? `&cursor=${enc(cursor)}` : ''}${all ? '&all=true' : ''}`,
    ),
  /** Makes the path through this message (down to its newest leaf) the conversation's active one. */
  branch: (id: string, messageId: string) => request<ApiBranchResult>('POST', `/api/conversations/${enc(id)}/branch`, { message_id: messageId }),
  deleteMessage: (id: string, mid: string) => request<ApiDeleted>('DELETE', `/api/conversations/${enc(id)}/messages/${enc(mid)}`),
  stop: (id: string) => request<ApiStopResult>('POST', `/api/conversations/${enc(id)}/stop`),
  listApiKeys: () => request<ApiApiKey[]>('GET', '/api/api-keys'),
  /** The answer's `key` is shown this once. */
  createApiKey: (name: string) => request<ApiCreatedApiKey>('POST', '/api/api-keys', { name }),
  revokeApiKey: (id: string) => request<ApiDeleted>('DELETE', `/api/api-keys/${enc(id)}`),
  /** Administrators: every user's keys, and revoking any of them. */
  listAllApiKeys: () => request<ApiAdminApiKey[]>('GET', '/api/admin/api-keys'),
  revokeAnyApiKey: (id: string) => request<ApiDeleted>('DELETE', `/api/admin/api-keys/${enc(id)}`),
  tokenStats: (period: StatsPeriod) => request<ApiTokenStats>('GET', `/api/stats/tokens?period=${period}`),
  ownLimits: () => request<ApiOwnQuota>('GET', '/api/stats/limits'),
  allLimits: () => request<ApiAllQuotas>('GET', '/api/admin/limits'),
  setUserLimits: (userId: string, limits: UserLimitsBody) => request<ApiUserQuota>('PUT', `/api/admin/users/${enc(userId)}/limits`, limits),
};
