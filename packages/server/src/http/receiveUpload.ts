import { createWriteStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '@nanoclaw/protocol';
import { AppError, badRequest } from './appError.js';
import { pathLimitsOf, resolveProjectPath, type PathLimits } from '../workspace/resolveProjectPath.js';
import { formatBytes } from '../workspace/workspaceErrors.js';

export interface ReceivedUpload {
  /** Text fields of the form. */
  fields: Record<string, string>;
  /** Paths of the received files below the staging directory, `/`-separated, in arrival order. */
  paths: string[];
  /** Folders the upload names on their own (`folder` fields: empty ones, which no file path implies), created there too. */
  folders: string[];
  bytes: number;
}

export interface UploadLimits {
  /** All files together, bytes (max_upload_bytes). */
  maxBytes: number;
  /** Files and folders together (max_upload_files). */
  maxEntries: number;
  /** Each file's and folder's path inside the upload (max_path_chars, max_path_depth). */
  path: PathLimits;
}

export const uploadLimitsOf = (config: Pick<Config, 'max_upload_bytes' | 'max_upload_files' | 'max_path_chars' | 'max_path_depth'>): UploadLimits => ({
  maxBytes: config.max_upload_bytes,
  maxEntries: config.max_upload_files,
  path: pathLimitsOf(config),
});

/** Multipart parsing with the upload limits of the config, for the routes of one plugin scope. */
export async function registerMultipart(app: FastifyInstance, config: Pick<Config, 'max_upload_bytes' | 'max_upload_files'>): Promise<void> {
  // Folders are fields: as many as files may be, beside the few other fields.
  await app.register(multipart, {
    limits: {
      fileSize: config.max_upload_bytes,
      files: config.max_upload_files,
      fields: config.max_upload_files + 20,
      fieldSize: 64 * 1024,
      parts: config.max_upload_files + 20,
    },
  });
}

function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : undefined;
}

/**
 * Receives a multipart upload into a staging directory: one file part per file, its filename the
 * path inside the upload ("site/css/main.css"), and a `folder` field per folder to create even though
 * no file is in it ("site/logs"). Every path goes through the project path resolver (escapes,
 * absolute paths, NUL bytes, paths too long or too deep… are 400); the total is capped at `maxBytes` and the files and folders
 * together at `maxEntries` (413). Errors leave whatever arrived in the staging directory, which the
 * caller removes.
 */
export async function receiveUpload(request: FastifyRequest, staging: string, limits: UploadLimits): Promise<ReceivedUpload> {
  if (!request.isMultipart()) throw new AppError(415, 'Send the files as multipart/form-data, one file part per file.');
  const { maxBytes, maxEntries } = limits;
  const fields: Record<string, string> = {};
  const paths: string[] = [];
  const folders: string[] = [];
  let bytes = 0;
  const tooLarge = () => new AppError(413, `The upload is larger than the ${formatBytes(maxBytes)} allowed (max_upload_bytes).`);
  const tooMany = () => {
    if (paths.length + folders.length > maxEntries) throw new AppError(413, 'The upload has more files and folders than allowed (max_upload_files).');
  };
  try {
    for await (const part of request.parts({ preservePath: true })) {
      if (part.type === 'field') {
        if (typeof part.value !== 'string') continue;
        if (part.fieldname !== 'folder') {
          fields[part.fieldname] = part.value;
          continue;
        }
        const folder = await resolveProjectPath(staging, part.value, { limits: limits.path });
        if (folder.relative === '') throw badRequest('A folder of the upload has no name.');
        await makeStagedFolder(folder.absolute, folder.relative);
        folders.push(folder.relative);
        tooMany();
        continue;
      }
      if (!part.filename) {
        part.file.resume();
        continue;
      }
      const target = await resolveProjectPath(staging, part.filename, { limits: limits.path });
      await makeStagedFolder(dirname(target.absolute), target.relative.split('/').slice(0, -1).join('/'));
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          bytes += chunk.length;
          callback(bytes > maxBytes ? tooLarge() : null, chunk);
        },
      });
      try {
        await pipeline(part.file, counter, createWriteStream(target.absolute, { flags: 'wx' }));
      } catch (err) {
        if (errorCode(err) === 'EEXIST' || errorCode(err) === 'EISDIR') {
          if ((await stat(target.absolute).catch(() => null))?.isDirectory()) {
            throw badRequest(`The upload holds both a file and a folder named "${target.relative}".`);
          }
          throw badRequest(`The file "${target.relative}" appears twice in the upload.`);
        }
        throw err;
      }
      paths.push(target.relative);
      tooMany();
    }
  } catch (err) {
    throw uploadError(err, tooLarge);
  }
  return { fields, paths, folders, bytes };
}

/** Creates a folder of the upload (and its parents) in staging; a file of the upload in the way is 400. */
async function makeStagedFolder(absolute: string, relative: string): Promise<void> {
  try {
    await mkdir(absolute, { recursive: true });
  } catch (err) {
    if (errorCode(err) === 'ENOTDIR' || errorCode(err) === 'EEXIST') {
      throw badRequest(`The upload holds both a file and a folder named "${relative}" (or a parent of it).`);
    }
    throw err;
  }
}

/** The multipart plugin's limit errors as sentences. */
function uploadError(err: unknown, tooLarge: () => AppError): unknown {
  const code = errorCode(err);
  if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT') return new AppError(413, 'The upload has more files than allowed (max_upload_files).');
  if (code === 'FST_FIELDS_LIMIT') return new AppError(413, 'The upload has more files and folders than allowed (max_upload_files).');
  if (code === 'FST_REQ_FILE_TOO_LARGE') return tooLarge();
  if (code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') return new AppError(415, 'Send the files as multipart/form-data, one file part per file.');
  return err;
}
