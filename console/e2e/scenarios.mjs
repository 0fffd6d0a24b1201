// The scenarios of run.mjs. Each gets { url, accessKey, secretKey, dir, args, screenshots,
// newContext, assert } and throws on failure.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const sha256 = (buf) => crypto.createHash('sha256').update(buf).digest('hex');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function signIn(page, { url, accessKey, secretKey }) {
  await page.goto(url);
  await page.getByLabel('Access key').fill(accessKey);
  await page.getByLabel('Secret key').fill(secretKey);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('user').waitFor();
}

async function shoot(page, env, name, fullPage = false) {
  if (!env.screenshots) return;
  fs.mkdirSync(env.screenshots, { recursive: true });
  // Notices come and go: the pictures show the page.
  const style = await page.addStyleTag({ content: '.toasts { display: none !important; }' });
  await page.screenshot({ path: path.join(env.screenshots, `${name}.png`), fullPage });
  await style.evaluate((el) => el.remove());
}

async function uploadsDone(page, count, timeout = 120000) {
  await page.waitForFunction(
    (n) => document.querySelectorAll('[data-testid="uploads"] li[data-state="done"]').length >= n,
    count,
    { timeout },
  );
  const failed = await page.locator('[data-testid="uploads"] li[data-state="failed"]').count();
  if (failed) throw new Error(`${failed} uploads failed: ${await page.getByTestId('uploads').innerText()}`);
}

async function rowKeys(page) {
  return page.locator('[data-testid="object-list"] tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.key));
}

export const scenarios = {
  // A wrong secret is refused; the right one signs in; the session cookie is out of the
  // page's reach (HttpOnly, SameSite=Strict).
  async signin(env) {
    const { assert } = env;
    const { page, context } = await env.newContext();
    await page.goto(env.url);
    await page.getByLabel('Access key').fill(env.accessKey);
    await page.getByLabel('Secret key').fill('not-the-secret');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'wrong' }).waitFor();
    assert.equal((await context.cookies()).filter((c) => c.name === 'cairn_session').length, 0);
    await page.getByLabel('Secret key').fill('');
    await shoot(page, env, 'sign-in');
    await page.getByLabel('Secret key').fill(env.secretKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('user').waitFor();
    assert.match(await page.getByTestId('user').innerText(), new RegExp(env.accessKey));
    const cookie = (await context.cookies()).find((c) => c.name === 'cairn_session');
    assert.ok(cookie, 'no session cookie');
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Strict');
    assert.equal(await page.evaluate(() => document.cookie.includes('cairn_session')), false);
    assert.equal(await page.evaluate(() => document.cookie.includes(document.cookie ? 'secret' : 'x')), false);
    // A reload keeps the session.
    await page.reload();
    await page.getByTestId('user').waitFor();
  },

  // Create a bucket, upload files (one multipart) and a folder with progress, download
  // bytes equal to the upload, preview, share a link that works from a fresh browser and
  // stops at its expiry, delete objects and a whole folder.
  async objects(env) {
    const { assert, args } = env;
    const bucket = args.bucket;
    const small = path.join(env.dir, 'notes.txt');
    const big = path.join(env.dir, 'big.bin');
    fs.writeFileSync(small, 'hello from the console\n'.repeat(100));
    fs.writeFileSync(big, crypto.randomBytes(20 * 1024 * 1024 + 12345));
    const folder = path.join(env.dir, 'photos');
    fs.mkdirSync(path.join(folder, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(folder, 'a.txt'), 'a');
    fs.writeFileSync(path.join(folder, 'sub', 'b.txt'), 'b');

    const { page } = await env.newContext();
    await signIn(page, env);
    await page.getByTestId('create-bucket-button').click();
    await page.getByLabel('Name').fill(bucket);
    await page.getByRole('button', { name: 'Create bucket' }).last().click();
    await page.getByTestId('bucket-list').getByText(bucket).waitFor();
    await shoot(page, env, 'buckets');
    await page.getByTestId('bucket-list').getByRole('link', { name: bucket }).click();
    await page.getByText('This folder is empty').waitFor();

    await page.getByTestId('file-input').setInputFiles([small, big]);
    await page.getByTestId('uploads').waitFor();
    await page.getByTestId('overall-progress').waitFor();
    await uploadsDone(page, 2);
    await page.getByTestId('folder-input').setInputFiles(folder);
    await uploadsDone(page, 2);
    await page.locator('[data-testid="object-list"] tr[data-key="photos/"]').waitFor();
    assert.deepEqual(await rowKeys(page), ['photos/', 'big.bin', 'notes.txt']);
    await shoot(page, env, 'objects');

    // Download: the same bytes.
    await page.getByRole('button', { name: /big\.bin/ }).click();
    await page.getByTestId('details').waitFor();
    assert.equal(await page.getByTestId('detail-key').innerText(), 'big.bin');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download').click()]);
    const saved = path.join(env.dir, 'downloaded.bin');
    await download.saveAs(saved);
    assert.equal(sha256(fs.readFileSync(saved)), sha256(fs.readFileSync(big)), 'downloaded bytes differ');
    // Escape closes a dialog (keyboard users).
    await page.getByTestId('details').focus();
    await page.keyboard.press('Escape');
    await page.getByTestId('details').waitFor({ state: 'detached' });

    // Preview and details of the text file.
    await page.getByRole('button', { name: /notes\.txt/ }).click();
    await page.getByRole('tab', { name: 'Preview' }).click();
    await page.getByTestId('text-preview').filter({ hasText: 'hello from the console' }).waitFor();
    await shoot(page, env, 'details');

    // Share: a link of a few seconds works from a browser that never signed in, then stops.
    await page.getByTestId('share').click();
    await page.getByTestId('share-dialog').getByLabel('Or seconds').fill(String(args.shareSeconds || 4));
    const shareStart = Date.now();
    await page.getByTestId('make-link').click();
    const url = await page.getByTestId('share-url').inputValue();
    assert.match(url, /X-Amz-Signature=/);
    const stranger = await env.newContext();
    const got = await stranger.context.request.get(url);
    assert.equal(got.status(), 200, await got.text());
    assert.equal(sha256(await got.body()), sha256(fs.readFileSync(small)));
    await sleep(Math.max(0, (args.shareSeconds || 4) * 1000 + 1500 - (Date.now() - shareStart)));
    const late = await stranger.context.request.get(url);
    assert.equal(late.status(), 403, 'the link still works after its expiry');
    await page.getByTestId('share-dialog').getByRole('button', { name: 'Close' }).click();
    await page.getByTestId('share-dialog').waitFor({ state: 'detached' });
    await page.getByTestId('details').getByRole('button', { name: 'Close' }).click();
    await page.getByTestId('details').waitFor({ state: 'detached' });

    // Several objects and a folder as one zip, streamed by the server.
    await page.getByRole('checkbox', { name: 'Select notes.txt' }).check();
    await page.getByRole('checkbox', { name: 'Select photos/' }).check();
    const [zipped] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-selected').click()]);
    assert.match(zipped.suggestedFilename(), /\.zip$/);
    await zipped.saveAs(path.join(env.dir, 'picked.zip'));
    await page.getByRole('button', { name: 'Clear' }).click();

    // Delete one object by selection, then a whole folder.
    await page.getByRole('checkbox', { name: 'Select notes.txt' }).check();
    await page.getByTestId('delete-selected').click();
    await page.getByTestId('confirm').getByRole('button', { name: 'Delete' }).click();
    await page.locator('tr[data-key="notes.txt"]').waitFor({ state: 'detached' });
    await page.getByRole('checkbox', { name: 'Select photos/' }).check();
    await page.getByTestId('delete-selected').click();
    await page.getByTestId('confirm').getByText('including everything under photos/').waitFor();
    await page.getByTestId('confirm').getByRole('button', { name: 'Delete' }).click();
    await page.locator('tr[data-key="photos/"]').waitFor({ state: 'detached' });
    assert.deepEqual(await rowKeys(page), ['big.bin']);
  },

  // A prefix of 2,000 keys, read a page at a time: every key once, in order.
  async paging(env) {
    const { assert, args } = env;
    const { page } = await env.newContext();
    await signIn(page, env);
    await page.goto(`${env.url}/browser/${args.bucket}?prefix=${encodeURIComponent(args.prefix)}`);
    await page.getByTestId('object-list').waitFor();
    assert.equal((await rowKeys(page)).length, 200, 'the first page is not 200 entries');
    for (let i = 0; i < 20 && (await page.getByTestId('load-more').count()); i++) {
      const before = (await rowKeys(page)).length;
      await page.getByTestId('load-more').click();
      await page.waitForFunction(
        (n) => document.querySelectorAll('[data-testid="object-list"] tbody tr').length > n,
        before,
      );
    }
    await page.getByTestId('entry-count').waitFor();
    const keys = await rowKeys(page);
    assert.equal(keys.length, args.count);
    assert.equal(new Set(keys).size, args.count, 'a key is listed twice');
    assert.deepEqual(keys, [...keys].sort(), 'keys out of order');
    // Search by prefix narrows the listing on the server.
    await page.getByLabel('Search by prefix').fill('k-0001');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="object-list"] tbody tr').length === 10);
  },

  // Changes without the CSRF token are refused; sign-out ends the session; a session ends at
  // its expiry and the page says so.
  async session(env) {
    const { assert, args } = env;
    const { page } = await env.newContext();
    await signIn(page, env);
    const noToken = await page.evaluate(async (b) => (await fetch(`/api/v1/s3/${b}`, { method: 'PUT' })).status, args.bucket);
    assert.equal(noToken, 403);
    const badToken = await page.evaluate(
      async (b) => (await fetch(`/api/v1/s3/${b}`, { method: 'PUT', headers: { 'X-Cairn-Csrf': 'forged' } })).status,
      args.bucket,
    );
    assert.equal(badToken, 403);
    await page.getByTestId('sign-out').click();
    await page.getByText('You signed out.').waitFor();
    assert.equal(await page.evaluate(async () => (await fetch('/api/v1/session')).status), 401);

    await signIn(page, env);
    const seconds = args.sessionSeconds;
    await page.getByText('Your session expired').waitFor({ timeout: (seconds + 10) * 1000 });
    assert.equal(await page.evaluate(async () => (await fetch('/api/v1/session')).status), 401);
  },

  // The cluster page: every node and drive online.
  async clusterOnline(env) {
    const { assert, args } = env;
    const { page } = await env.newContext();
    await signIn(page, env);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Cluster' }).click();
    await page.getByTestId('drive-list').waitFor();
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid="drive-list"] tr[data-state="ok"]').length === n,
      args.drives,
    );
    assert.equal(await page.getByTestId('nodes-online').innerText(), `${args.nodes} / ${args.nodes} online`);
    // Every node answers with its version and uptime.
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid="node-list"] tr[data-online="yes"]').length === n,
      args.nodes,
    );
    assert.equal(await page.locator('[data-testid="node-list"]').getByText('0.1.0').count(), args.nodes);
    await shoot(page, env, 'cluster');
  },

  // A node was stopped just before: its drives show offline within a few seconds, and the
  // sets say what they can still lose.
  async clusterOffline(env) {
    const { assert, args } = env;
    const { page } = await env.newContext();
    await signIn(page, env);
    await page.goto(`${env.url}/cluster`);
    await page.getByTestId('drive-list').waitFor();
    const started = Date.now();
    await page.waitForFunction(
      ([node, n]) =>
        document.querySelectorAll(`[data-testid="drive-list"] tr[data-node="${node}"][data-state="offline"]`).length === n,
      [args.node, args.drivesPerNode],
      { timeout: args.withinMs },
    );
    console.log(`node ${args.node} shown offline ${Date.now() - started} ms after the page loaded`);
    await page.locator(`[data-testid="node-list"] tr[data-node="${args.node}"][data-online="no"]`).waitFor();
    assert.equal(await page.getByTestId('nodes-online').innerText(), `${args.nodes - 1} / ${args.nodes} online`);
    await page.getByTestId('set-list').getByText(`${args.drives - args.drivesPerNode} of ${args.drives}`).waitFor();
  },

  // A heal of the cluster started from the page runs to completion, with progress shown.
  async clusterHeal(env) {
    const { assert } = env;
    const { page } = await env.newContext();
    await signIn(page, env);
    await page.goto(`${env.url}/cluster`);
    await page.getByTestId('start-heal').click();
    const row = page.locator('[data-testid="heal-list"] tbody tr').first();
    await row.waitFor();
    await page.locator('[data-testid="heal-list"] tr[data-state="done"]').first().waitFor({ timeout: 60000 });
    const text = await page.getByTestId('heal-list').innerText();
    assert.match(text, /whole cluster/);
    assert.match(text, /[1-9]\d* scanned/);
    await shoot(page, env, 'cluster-heal', true);
  },

  // The metrics page draws the server's own time series: the traffic the test made shows up.
  async metrics(env) {
    const { args } = env;
    const { page } = await env.newContext();
    await signIn(page, env);
    // The buckets page counts the bucket's objects once the scanner has been through it.
    const deadline = Date.now() + 30000;
    for (;;) {
      await page.goto(`${env.url}/browser`);
      const cell = page.locator('[data-testid="bucket-list"] tr', { hasText: args.bucket }).getByTestId('bucket-objects');
      await cell.waitFor();
      if ((await cell.innerText()) === String(args.objects)) break;
      if (Date.now() > deadline) throw new Error(`the bucket's object count is ${await cell.innerText()}, not ${args.objects}`);
      await sleep(1000);
    }
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Metrics' }).click();
    await page.locator('[data-testid="chart-requests"] canvas').waitFor();
    await page.locator('[data-testid="chart-requests"] .u-legend').getByText(args.api).waitFor({ timeout: 20000 });
    if (env.screenshots) {
      await page.waitForFunction(() => /\((\d{2,}) so far\)/.test(document.body.innerText), null, { timeout: 30000 });
      await shoot(page, env, 'metrics', true);
    }
  },

  // Identity: add a user with a policy and write a policy (a bad document refused in the
  // page, a good one saved); the new user signs in and sees only what its policy allows.
  async identity(env) {
    const { assert, args } = env;
    const { page } = await env.newContext();
    await signIn(page, env);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Identity' }).click();
    await page.getByTestId('add-user').click();
    const add = page.getByTestId('add-user-dialog');
    await add.getByLabel('Access key').fill(args.user);
    await add.getByLabel('Secret key').fill(args.secret);
    await add.getByRole('checkbox', { name: 'readonly' }).check();
    await add.getByRole('button', { name: 'Add user' }).click();
    await page.locator(`[data-testid="user-list"] tr[data-user="${args.user}"]`).getByText('readonly').waitFor();
    await shoot(page, env, 'identity');

    await page.getByRole('tab', { name: 'Policies' }).click();
    await page.getByTestId('add-policy').click();
    const dialog = page.getByTestId('policy-dialog');
    await dialog.getByLabel('Name').fill(args.policy);
    await dialog.getByLabel('Document').fill('{"Version": "2012-10-17", "Statement": [{"Effect": "Maybe"}]}');
    await dialog.getByTestId('policy-problem').filter({ hasText: 'Effect' }).waitFor();
    assert.equal(await dialog.getByRole('button', { name: 'Save' }).isDisabled(), true);
    await dialog
      .getByLabel('Document')
      .fill(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::${args.policy}/*"]}]}`);
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('policy-list').getByRole('cell', { name: args.policy, exact: true }).waitFor();

    await page.getByTestId('sign-out').click();
    await page.getByLabel('Access key').fill(args.user);
    await page.getByLabel('Secret key').fill(args.secret);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('user').waitFor();
    const nav = await page.getByRole('navigation', { name: 'Main' }).innerText();
    assert.doesNotMatch(nav, /Cluster|Identity|Metrics/);
    assert.equal(await page.getByTestId('create-bucket-button').count(), 0);
  },

  // Bucket settings: versioning turned on, a bucket policy written (a bad one refused).
  async settings(env) {
    const { args } = env;
    const { page } = await env.newContext();
    await signIn(page, env);
    await page.getByRole('button', { name: `Settings of ${args.bucket}` }).click();
    const dialog = page.getByTestId('bucket-settings');
    await dialog.getByTestId('enable-versioning').click();
    await dialog.getByTestId('versioning-state').filter({ hasText: 'Enabled' }).waitFor();
    await dialog.getByRole('tab', { name: 'Access policy' }).click();
    const doc = dialog.getByRole('textbox');
    await doc.fill('{"Statement": [{"Effect": "Allow"}]}');
    await dialog.getByText('no Action').waitFor();
    await doc.fill(
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: ['*'] }, Action: ['s3:GetObject'], Resource: [`arn:aws:s3:::${args.bucket}/public/*`] }],
      }),
    );
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByRole('button', { name: 'Remove' }).waitFor();
    await shoot(page, env, 'bucket-settings');
  },

  // Object lock in the details: a legal hold placed from the page.
  async legalHold(env) {
    const { args } = env;
    const { page } = await env.newContext();
    await signIn(page, env);
    await page.goto(`${env.url}/browser/${args.bucket}?prefix=${encodeURIComponent(args.prefix)}`);
    await page.getByRole('button', { name: new RegExp(args.file) }).click();
    await page.getByTestId('legal-hold').filter({ hasText: 'OFF' }).waitFor();
    await page.getByRole('button', { name: 'Place hold' }).click();
    await page.getByTestId('legal-hold').filter({ hasText: 'ON' }).waitFor();
  },
};
