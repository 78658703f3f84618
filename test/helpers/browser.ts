// Headless Debian Chromium for testing the HTML reports: any request that is not a local file fails
// (and is recorded), so a page that would need the network at view time cannot pass.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

export const CHROMIUM = '/usr/bin/chromium';

export interface OfflineBrowser {
  browser: Browser;
  /** Open a file:// page; network requests and console errors are collected in the result. */
  open(file: string, viewport?: { width: number; height: number }): Promise<{ page: Page; blocked: string[]; errors: string[] }>;
  close(): Promise<void>;
}

/** Launch Chromium with a throw-away profile. */
export async function launchOfflineBrowser(): Promise<OfflineBrowser> {
  const profile = mkdtempSync(path.join(tmpdir(), 'ld-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--allow-file-access-from-files'],
    userDataDir: profile,
  });
  return {
    browser,
    async open(file, viewport = { width: 1280, height: 900 }) {
      const page = await browser.newPage();
      await page.setViewport(viewport);
      const blocked: string[] = [];
      const errors: string[] = [];
      await page.setRequestInterception(true);
      page.on('request', (req) => {
        const url = req.url();
        if (url.startsWith('file:') || url.startsWith('data:')) void req.continue();
        else {
          blocked.push(url);
          void req.abort('failed');
        }
      });
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(`file://${file}`, { waitUntil: 'load' });
      return { page, blocked, errors };
    },
    async close() {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Pixels of a page's canvases that are neither transparent nor white: > 0 means something was drawn. */
export async function inkedPixels(page: Page, selector: string): Promise<number[]> {
  return page.$$eval(selector, (canvases) =>
    (canvases as HTMLCanvasElement[]).map((c) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i + 3]! > 0 && (d[i]! < 240 || d[i + 1]! < 240 || d[i + 2]! < 240)) n++;
      return n;
    }),
  );
}
