/**
 * The service account FCM v1 authenticates with: read from its JSON key file or given as content,
 * checked at start-up (the fields Google's key file has, a private key that parses). No error
 * message quotes the file's content: JSON.parse's own message would, so it is never passed on.
 */
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigurationError } from '@sitemsg/core/plugin';

/** What a Google service account key file holds that FCM needs. */
export interface ServiceAccount {
  readonly projectId: string;
  readonly clientEmail: string;
  /** PEM (PKCS#8). Kept out of logs, errors and `util.inspect` by the classes that hold it. */
  readonly privateKey: string;
}

/** Where a service account comes from: a key file's path, or its content. */
export type ServiceAccountSource =
  | { readonly file: string }
  | { readonly json: string | Readonly<Record<string, unknown>> };

/** Reads and checks a service account key; a ConfigurationError says what is wrong, never the key. */
export function loadServiceAccount(source: ServiceAccountSource): ServiceAccount {
  const where = 'file' in source ? `the service account file "${source.file}"` : 'serviceAccountJson';
  const fail = (what: string): never => {
    throw new ConfigurationError(`[fcm] ${where} ${what}`);
  };
  let content: unknown;
  if ('file' in source) {
    if (typeof source.file !== 'string' || source.file === '') fail('must be a file path.');
    let text = '';
    try {
      text = readFileSync(source.file, 'utf8');
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      fail(`cannot be read (${typeof code === 'string' ? code : 'read error'}).`);
    }
    content = parseJson(text) ?? fail('is not valid JSON: download the key again from the Firebase console.');
  } else if (typeof source.json === 'string') {
    content = parseJson(source.json) ?? fail("is not valid JSON (the key file's content is expected).");
  } else {
    content = source.json;
  }
  if (typeof content !== 'object' || content === null || Array.isArray(content))
    fail('must be a JSON object.');
  const key = content as Record<string, unknown>;
  if (key.type !== undefined && key.type !== 'service_account') {
    fail(
      `is a "${String(key.type)}" credential; FCM needs a service account key ("type": "service_account").`,
    );
  }
  const field = (name: string): string => {
    const value = key[name];
    return typeof value === 'string' && value.trim() !== '' ? value : fail(`has no "${name}".`);
  };
  const projectId = field('project_id');
  const clientEmail = field('client_email');
  const privateKey = field('private_key');
  try {
    createPrivateKey(privateKey);
  } catch {
    fail('has a "private_key" that is not a PEM private key.');
  }
  return { projectId, clientEmail, privateKey };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
