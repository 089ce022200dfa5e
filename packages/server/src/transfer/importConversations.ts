import type { ApiImportResult } from '@nanoclaw/protocol';
import type { ProjectRepo, TransferStore } from '../db/index.js';
import type { ProjectWorkspaces } from '../workspace/projectWorkspaces.js';
import type { AttachmentService } from '../attachments/attachmentService.js';
import { checkImportAttachments, type AttachmentChecker } from './importAttachments.js';
import type { ImportPlan } from './importPlan.js';

export interface ImportDeps {
  projects: Pick<ProjectRepo, 'listForUser'>;
  workspaces: Pick<ProjectWorkspaces, 'create' | 'remove'>;
  transfer: Pick<TransferStore, 'importConversations'>;
  /** Absent: the files a document carries are left out (with a note). */
  attachments?: Pick<AttachmentService, 'putBytes' | 'free'> & AttachmentChecker;
}

/**
 * Stores what a file held as the importer's own (whatever user ids it names): projects are matched by
 * name to the importer's, and those missing are created (a row and an empty directory: an export never
 * carries files); then every conversation in one transaction. Attached files are all checked first (as
 * uploads are), and their bytes stored (once per sha256) before the transaction that creates their rows.
 * If that fails, the projects made for it and the bytes nothing references are removed again, so a
 * file is imported whole or not at all.
 */
export async function importConversations(deps: ImportDeps, userId: string, plan: ImportPlan): Promise<ApiImportResult> {
  const checked = await checkImportAttachments(plan.conversations, deps.attachments);
  const shas = new Set<string>();
  const existing = new Map((await deps.projects.listForUser(userId)).map((project) => [project.name, project.id]));
  const described = new Map(plan.projects.map((project) => [project.name, project]));
  const wanted = new Set(plan.conversations.map((c) => c.project).filter((name): name is string => name !== null));
  for (const project of plan.projects) wanted.add(project.name);
  const created: ApiImportResult['projects'] = [];
  try {
    for (const { attachments } of checked.conversations) {
      for (const { file, bytes } of attachments) {
        if (shas.has(file.sha256)) continue;
        shas.add(file.sha256);
        await deps.attachments!.putBytes(file.sha256, bytes);
      }
    }
    for (const name of wanted) {
      if (existing.has(name)) continue;
      const project = await deps.workspaces.create(userId, { name, description: described.get(name)?.description ?? null });
      existing.set(name, project.id);
      created.push({ id: project.id, name: project.name });
    }
    const conversations = await deps.transfer.importConversations(
      userId,
      checked.conversations.map(({ conversation, attachments }) => ({
        conversation,
        projectId: conversation.project === null ? null : (existing.get(conversation.project) ?? null),
        attachments: attachments.map(({ id, file }) => ({ id, file })),
      })),
    );
    return { format: plan.format, conversations, projects: created, notes: [...plan.notes, ...checked.notes] };
  } catch (err) {
    for (const project of created) await deps.workspaces.remove(userId, project.id);
    if (shas.size > 0) await deps.attachments!.free([...shas]);
    throw err;
  }
}
