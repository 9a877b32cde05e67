import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProtocolRecord } from '../../src/protocol/protocol-record.js';
import { answerFacts } from '../support/answer-facts.js';
import { startHarness, type Harness } from '../support/gateway-harness.js';
import { fixturesDir, projectRoot } from '../support/paths.js';
import { postSoap } from '../support/soap-post.js';
import { answerOnlyTexts } from './answer-data.js';
import { CHROMIUM, chromiumLauncher, type Browser, type Page } from './browser.js';

const POLICE = 'dbs:030000010000';
const query = readFileSync(path.join(fixturesDir, 'queries/1330-unique-hit.xml'), 'utf8');
// The screenshots of docs/console.md: rewritten there with XMELD_UPDATE_SCREENSHOTS=1, else kept
// under test/.tmp so a test run leaves the checkout as it was.
const shotDir = process.env['XMELD_UPDATE_SCREENSHOTS'] === '1' ? path.join(projectRoot, 'docs', 'console') : path.join(projectRoot, 'test', '.tmp', 'console');
mkdirSync(shotDir, { recursive: true });
const shot = (name: string) => path.join(shotDir, `${name}.png`);
const launcher = chromiumLauncher();

function berlinDate(d: Date): { year: number; month: number; day: number } {
  const [day, month, year] = d.toLocaleDateString('de-DE', { timeZone: 'Europe/Berlin', day: '2-digit', month: '2-digit', year: 'numeric' }).split('.').map(Number);
  return { year: year as number, month: month as number, day: day as number };
}
/** A calendar day (overflowing days roll over), as the console's date fields and tables write it. */
const dayOf = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d));
const isoDay = (y: number, m: number, d: number) => dayOf(y, m, d).toISOString().slice(0, 10);
const germanDay = (y: number, m: number, d: number) => dayOf(y, m, d).toLocaleDateString('de-DE', { timeZone: 'UTC', day: '2-digit', month: '2-digit', year: 'numeric' });

async function records(h: Harness, hops: ProtocolRecord['hop'][]): Promise<ProtocolRecord[]> {
  const out: ProtocolRecord[] = [];
  for await (const r of h.gateway.protocol.export({ hops }, { kind: 'dpo', id: 'test', purpose: 'Test' })) out.push(r);
  return out;
}

/** The browser test: headless Chromium against the console of a real gateway. */
describe.skipIf(launcher === undefined)(`the console in a real browser (${CHROMIUM}, playwright-core)`, () => {
  let h: Harness;
  let browser: Browser;
  let page: Page;
  let consoleUrl: string;
  let vorgangsnummer: string;
  let secrets: string[];
  /** Every response the browser received, for the check that none carries answer data. */
  const seen: { url: string; body: string }[] = [];

  beforeAll(async () => {
    h = await startHarness({ config: (c) => { c.admin = { ...c.admin, enabled: true, port: 0, devToken: true }; } });
    const con = h.gateway.console;
    if (con?.devToken === undefined) throw new Error('console with a development token expected');
    consoleUrl = con.url;
    const sent = h.signed(query);
    const answer = await postSoap(h.endpoint, sent.xml);
    const facts = answerFacts(answer.body);
    expect(facts.ergebnisstatus).toBe('01');
    vorgangsnummer = facts.vorgangsnummer as string;
    secrets = answerOnlyTexts(answer.body, sent.xml);
    expect(secrets.length, JSON.stringify(secrets)).toBeGreaterThanOrEqual(3); // the address of the answer: the check below must have something to look for

    browser = await (launcher as NonNullable<typeof launcher>).launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    const context = await browser.newContext({ acceptDownloads: true, locale: 'de-DE', viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    // A missing element fails its step with the locator named, well before the test's own timeout.
    page.setDefaultTimeout(10_000);
    page.on('response', (r) => {
      void r.text().then((body) => seen.push({ url: r.url(), body }), () => undefined);
    });
    (globalThis as { devToken?: string }).devToken = con.devToken;
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('signs in with the one-time token (protocolled); the token works only once', async () => {
    await page.goto(`${consoleUrl}/`);
    expect(page.url()).toBe(`${consoleUrl}/anmelden`);
    await page.screenshot({ path: shot('anmelden') });
    const token = (globalThis as { devToken?: string }).devToken as string;
    await page.getByLabel(/Einmal-Token/).fill(token);
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await page.waitForURL(`${consoleUrl}/`);
    expect(await page.title()).toBe('Status – XMeld-Gateway Konsole');
    const row = await page.getByRole('row', { name: /Land 09/ }).innerText();
    expect(row).toContain('01 Treffer: 1');
    // The live refresh ran under the page's CSP: its pause button is shown and works.
    const pause = page.getByRole('button', { name: 'Aktualisierung anhalten' });
    await pause.click();
    expect(await page.getByRole('button', { name: 'Aktualisierung fortsetzen' }).count()).toBe(1);
    await page.screenshot({ path: shot('status'), fullPage: true });

    const again = await fetch(`${consoleUrl}/anmelden`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `verfahren=token&token=${token}` });
    expect(again.status).toBe(401);
    const events = (await records(h, ['operator'])).map((r) => r.operatorEvent);
    expect(events).toContainEqual({ action: 'sign-in', actor: 'operator:entwicklung', changes: [], reason: 'Einmal-Token (Entwicklung)' });
    expect(events).toContainEqual({ action: 'sign-in-refused', actor: 'token', changes: [] });
  });

  it('finds the Vorgang sent by the test and shows its hops; the look is protocolled with filter and purpose', async () => {
    await page.getByRole('link', { name: 'Vorgang' }).click();
    await page.getByLabel('Vorgangsnummer').fill(vorgangsnummer);
    await page.getByLabel(/Zweck nach § 40 Abs. 4 BMG/).selectOption('betrieb');
    await page.getByRole('button', { name: 'Suchen' }).click();
    await page.getByRole('link', { name: vorgangsnummer }).click();
    const steps = await page.locator('ol.zeitleiste').innerText();
    for (const step of ['angenommen', 'an das Register gesendet', 'Antwort des Registers', 'Antwort an den Absender']) expect(steps).toContain(step);
    // The query came from a security authority: the operator partition holds the technical record only.
    expect(steps).not.toContain('Ergebnisstatus');
    expect(await page.locator('main').innerText()).toContain('nur den technischen Eintrag');
    await page.screenshot({ path: shot('vorgang'), fullPage: true });

    const looks = (await records(h, ['exported'])).filter((r) => r.exportInfo?.requester.id === 'entwicklung');
    expect(looks.map((r) => r.exportInfo?.filter.vorgangsnummer)).toEqual([vorgangsnummer, vorgangsnummer]);
    expect(looks[0]?.exportInfo?.requester).toEqual({ kind: 'operator', id: 'entwicklung', purpose: 'Sicherstellung des ordnungsgemäßen Betriebs (Konsole, operator:entwicklung)' });
  });

  it('suspends an authority with a reason: its next query is refused (T070)', async () => {
    await page.getByRole('link', { name: 'Parteien und Behörden' }).click();
    const row = page.getByRole('row', { name: new RegExp(POLICE) });
    await row.getByLabel('Grund').fill('Sicherheitsmangel gemeldet (Test)');
    await row.getByRole('button', { name: /Sperren/ }).click();
    expect(await page.getByRole('status').innerText()).toContain(`${POLICE} gesperrt`);
    expect(await page.getByRole('row', { name: new RegExp(POLICE) }).innerText()).toContain('gesperrt');
    await page.screenshot({ path: shot('parteien'), fullPage: true });

    const refused = await postSoap(h.endpoint, h.signed(query).xml);
    expect(answerFacts(refused.body).rts).toBe('T070');
    const events = (await records(h, ['operator'])).map((r) => r.operatorEvent);
    expect(events).toContainEqual({ action: 'suspend', actor: 'operator:entwicklung', changes: [`authority ${POLICE} suspended`], reason: 'Sicherheitsmangel gemeldet (Test)' });
  });

  it('verifies the chain, previews the purge and runs an export (CSV, protocolled)', async () => {
    await page.getByRole('link', { name: 'Protokoll' }).click();
    await page.getByRole('button', { name: 'Kette prüfen' }).click();
    expect(await page.getByRole('status').innerText()).toBe('Alle Ketten sind unversehrt.');
    await page.getByLabel(/Zweck nach § 40 Abs. 4 BMG/).first().selectOption('datenschutzkontrolle');
    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Exportieren' }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(/^protokoll-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = readFileSync(await download.path() as string, 'utf8');
    expect(csv.split('\r\n')[0]).toMatch(/^vorgangsnummer,hop,at,/);
    expect(csv).toContain(vorgangsnummer);
    seen.push({ url: 'download', body: csv });

    // The purge preview: what a purge on the day would delete, and each record's deadlines.
    const today = berlinDate(new Date());
    await page.getByLabel('Stichtag').fill(isoDay(today.year + 1, today.month, today.day + 7));
    await page.getByLabel(/Zweck nach § 40 Abs. 4 BMG/).last().selectOption('datenschutzkontrolle');
    await page.getByRole('button', { name: 'Vorschau anzeigen' }).click();
    const deadlines = await page.getByRole('table', { name: 'Die ältesten Einträge mit ihren Fristen' }).innerText();
    expect(deadlines).toContain(vorgangsnummer);
    // A record of today may go from the day after its anniversary and must be gone by the end of next year.
    const earliest = germanDay(today.year + 1, today.month, today.day + 1);
    expect(deadlines).toContain(`${germanDay(today.year, today.month, today.day)}, `);
    expect(deadlines).toContain(`${earliest}, 00:00:00\t01.01.${today.year + 2}, 00:00:00`);
    expect(await page.getByRole('table', { name: 'Zu löschen je Bereich' }).innerText()).toMatch(/operator\s+\d+/);
    await page.screenshot({ path: shot('protokoll'), fullPage: true });

    const exported = (await records(h, ['exported'])).filter((r) => r.exportInfo?.requester.purpose?.startsWith('Datenschutzkontrolle'));
    expect(exported.length).toBeGreaterThanOrEqual(1);
  });

  it('every page: German, a skip link first in the tab order, every control labelled, ids unique', async () => {
    for (const p of ['/', '/vorgang', '/protokoll', '/parteien']) {
      await page.goto(`${consoleUrl}${p}`);
      const facts = await page.evaluate<unknown>(`(() => {
        const controls = [...document.querySelectorAll('input:not([type=hidden]), select')];
        const ids = [...document.querySelectorAll('[id]')].map((e) => e.id);
        return {
          lang: document.documentElement.lang,
          unlabelled: controls.filter((c) => c.labels.length === 0).map((c) => c.name),
          duplicateIds: ids.filter((id, i) => ids.indexOf(id) !== i),
          mains: document.querySelectorAll('main').length,
        };
      })()`);
      expect(facts, p).toEqual({ lang: 'de', unlabelled: [], duplicateIds: [], mains: 1 });
      await page.keyboard.press('Tab');
      expect(await page.evaluate<string>('document.activeElement.textContent'), p).toBe('Zum Inhalt springen');
    }
  });

  it('no page or response carries the test person\'s answer data', () => {
    expect(seen.length).toBeGreaterThan(8);
    for (const { url, body } of seen) {
      for (const s of secrets) expect(body.includes(s), `${url} contains answer data`).toBe(false);
    }
  });
});
