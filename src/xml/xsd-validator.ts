import path from 'node:path';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import {
  ParseOption,
  XmlDocument,
  XmlElement,
  XmlValidateError,
  XsdValidator,
  type ErrorDetail,
} from 'libxml2-wasm';
import { listSchemaFilesIn, schemaDir as defaultSchemaDir, xmeldEntryFile } from './schema-files.js';
import { registerSchemaFiles } from './xsd-input-provider.js';
import { sanitiseValidationMessage } from './xsd-messages.js';

/**
 * XSD validation of XMeld messages with libxml2 (libxml2-wasm).
 *
 * The schema set is compiled once from the project's `schemas/` folder and reused for every
 * message. Schema files are served to libxml2 from memory by an input provider that knows
 * only those files, so compiling never touches the network or any other file.
 */

export interface ValidationIssue {
  /** Line in the validated document, where libxml2 reports one. */
  line?: number;
  /** Local name (or `{namespace}name`) of the element the issue is about. */
  element?: string;
  /** libxml2's reason with every value from the document removed. */
  reason: string;
}

export type ValidationResult = { ok: true } | { ok: false; errors: ValidationIssue[] };

/** The compiled schema set could not be built (a broken or missing schema file). */
export class SchemaLoadError extends Error {
  override readonly name = 'SchemaLoadError';
}

const SCHEMA_PARSE_OPTIONS = ParseOption.XML_PARSE_NONET;

export class XmeldSchema {
  private disposed = false;

  private constructor(private readonly validator: XsdValidator) {}

  /**
   * Compiles the schema set whose entry is `entry` (relative to `dir`).
   * Default: the XMeld 25.11a set of the project (`schemas/xmeld-2511a/xmeld.xsd`).
   */
  static load(dir: string = defaultSchemaDir, entry: string = xmeldEntryFile): XmeldSchema {
    const root = path.resolve(dir);
    const files = new Map<string, Uint8Array>();
    for (const rel of listSchemaFilesIn(root)) {
      files.set(path.join(root, rel), readFileSync(path.join(root, rel)));
    }
    const entryPath = path.join(root, entry);
    const entryBytes = files.get(entryPath);
    if (entryBytes === undefined) throw new SchemaLoadError(`Schema entry not found: ${entry}`);
    registerSchemaFiles(files);

    let xsdDoc: XmlDocument | undefined;
    try {
      // The file URL is the base for resolving xs:include/xs:import of the set.
      xsdDoc = XmlDocument.fromBuffer(entryBytes, {
        url: pathToFileURL(entryPath).href,
        option: SCHEMA_PARSE_OPTIONS,
      });
      return new XmeldSchema(XsdValidator.fromDoc(xsdDoc));
    } catch (e) {
      const detail = e instanceof XmlValidateError ? e.details.map((d) => d.message.trim()).join('; ') : String(e);
      throw new SchemaLoadError(`Schema set ${entry} does not compile: ${detail}`);
    } finally {
      xsdDoc?.dispose();
    }
  }

  /**
   * Validates a whole document, or an element subtree (e.g. the XMeld message that is the
   * child of a SOAP Body) in place, without copying it.
   */
  validate(target: XmlDocument | XmlElement): ValidationResult {
    if (this.disposed) throw new Error('XmeldSchema is disposed');
    try {
      // two overloads in libxml2-wasm: whole document, or subtree validated in place
      if (target instanceof XmlDocument) this.validator.validate(target);
      else this.validator.validate(target);
      return { ok: true };
    } catch (e) {
      if (e instanceof XmlValidateError) return { ok: false, errors: toIssues(e.details) };
      throw e;
    }
  }

  /** Frees the compiled schema on the WASM heap. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.validator.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

function toIssues(details: ErrorDetail[]): ValidationIssue[] {
  const issues = details.map((d): ValidationIssue => {
    const { element, reason } = sanitiseValidationMessage(d.message);
    const issue: ValidationIssue = { reason };
    if (d.line > 0) issue.line = d.line;
    if (element !== undefined) issue.element = element;
    return issue;
  });
  return issues.length > 0 ? issues : [{ reason: 'Nachricht ist nicht schemakonform' }];
}
