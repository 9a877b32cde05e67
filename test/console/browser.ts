/**
 * Headless Chromium from Debian (/usr/bin/chromium) driven by playwright-core. Loaded with
 * require so a local run can point NODE_PATH at a copy outside node_modules; the few types the
 * tests use are declared here, so the project typechecks without the package.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface Response { url(): string; status(): number; headers(): Record<string, string>; text(): Promise<string> }
export interface Download { path(): Promise<string | null>; suggestedFilename(): string }
export interface Locator {
  click(): Promise<void>;
  fill(value: string): Promise<void>;
  selectOption(value: string): Promise<unknown>;
  textContent(): Promise<string | null>;
  innerText(): Promise<string>;
  count(): Promise<number>;
  first(): Locator;
  last(): Locator;
  locator(selector: string): Locator;
  getByRole(role: string, o?: { name?: string | RegExp; exact?: boolean }): Locator;
  getByLabel(text: string | RegExp, o?: { exact?: boolean }): Locator;
}
export interface Page extends Locator {
  goto(url: string): Promise<Response | null>;
  url(): string;
  title(): Promise<string>;
  screenshot(o: { path: string; fullPage?: boolean }): Promise<Buffer>;
  on(event: 'response', handler: (r: Response) => void): void;
  waitForEvent(event: 'download'): Promise<Download>;
  waitForURL(url: string | RegExp): Promise<void>;
  keyboard: { press(key: string): Promise<void> };
  /** A JavaScript expression run in the page (a string: the project has no DOM types). */
  evaluate<T>(expression: string): Promise<T>;
  setDefaultTimeout(ms: number): void;
}
export interface Browser {
  newContext(o?: { acceptDownloads?: boolean; locale?: string; viewport?: { width: number; height: number } }): Promise<{ newPage(): Promise<Page>; close(): Promise<void> }>;
  close(): Promise<void>;
}

export const CHROMIUM = '/usr/bin/chromium';

/** playwright-core's chromium launcher, or undefined where the package or the browser is missing. */
export function chromiumLauncher(): { launch(o: { executablePath: string; args?: string[] }): Promise<Browser> } | undefined {
  if (!existsSync(CHROMIUM)) return undefined;
  try {
    const pw = createRequire(import.meta.url)('playwright-core') as { chromium: { launch(o: { executablePath: string; args?: string[] }): Promise<Browser> } };
    return pw.chromium;
  } catch {
    return undefined;
  }
}
