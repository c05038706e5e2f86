import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";

import { expect } from "chai";
import { Wallet, getAddress, parseEther } from "ethers";
import hre from "hardhat";
import { type Browser, type Page, chromium } from "playwright-core";

import type { DashboardSnapshot } from "../../../rollup-node/dashboard/types";
import { type E2eRollup, eventually, startE2eRollup, withdrawToL1 } from "../../e2e/support/harness";

const CHROMIUM = "/usr/bin/chromium";
const SCREENSHOT = path.join(__dirname, "..", "..", "..", "test-results", "dashboard.png");

/** Debian's chromium, headless and with every background download off: the test runs offline. */
async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: run scripts/ensure-chromium.sh (it installs Debian's chromium package) before this test`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-quic",
      "--no-first-run",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

async function fetchSnapshot(url: string): Promise<DashboardSnapshot> {
  const response = await fetch(`${url}/api/dashboard`);
  expect(response.status).to.equal(200);
  return (await response.json()) as DashboardSnapshot;
}

function numberIn(text: string | null): number {
  return Number((text ?? "").replace(/[^0-9]/g, ""));
}

describe("dashboard: the L2 node's live page, in a real browser", function () {
  this.timeout(120_000);
  let r: E2eRollup;
  let browser: Browser;
  let page: Page;

  before(async () => {
    browser = await launchChromium();
    r = await startE2eRollup();
    // One L2 transfer, so the page opens on an accepted block.
    const transfer = await r.l2Wallet(4).sendTransaction({ to: r.l2Wallet(5).address, value: 1n });
    const receipt = await transfer.wait();
    await r.devnet.node.bridge.submitter?.waitForAccepted(BigInt(receipt?.blockNumber ?? 0));
  });

  after(async () => {
    await browser?.close();
    await r?.stop();
  });

  it("serves the page, its script and style on the L2 JSON-RPC port, which still answers JSON-RPC over POST", async () => {
    const page = await fetch(`${r.devnet.l2Url}/`);
    expect(page.headers.get("content-type")).to.match(/^text\/html/);
    const html = await page.text();
    expect(html).to.include('<script src="/dashboard.js">');
    // No external assets: every src and href is a path on this node.
    expect(html.match(/(?:src|href)="(?!\/)[^"]*"/g)).to.equal(null);
    expect((await fetch(`${r.devnet.l2Url}/dashboard`)).status).to.equal(200);
    expect((await fetch(`${r.devnet.l2Url}/dashboard.js`)).headers.get("content-type")).to.match(/javascript/);
    expect((await fetch(`${r.devnet.l2Url}/dashboard.css`)).headers.get("content-type")).to.match(/text\/css/);
    expect(await r.l2.getBlockNumber()).to.be.above(0);
  });

  it("answers a JSON snapshot with the heads, the accepted blocks and their EXECUTE gas and witness size", async () => {
    const snapshot = await fetchSnapshot(r.devnet.l2Url);
    expect(snapshot.rollup.address).to.equal(r.devnet.deployment.address);
    expect(snapshot.rollup.l2ChainId).to.equal(Number(r.devnet.l2ChainId));
    expect(snapshot.heads.l2).to.be.at.least(snapshot.heads.accepted);
    expect(snapshot.heads.accepted).to.be.at.least(1);
    const [newest] = snapshot.blocks;
    expect(newest?.number).to.equal(snapshot.heads.accepted);
    expect(newest?.hash).to.equal(snapshot.heads.acceptedHash);
    expect(newest?.label).to.equal("re-executed");
    expect(newest?.status).to.equal("final");
    expect(newest?.executeGas).to.be.above(100_000);
    expect(newest?.witnessBytes).to.be.above(0);
    expect(newest?.l1GasUsed).to.be.above(newest?.executeGas ?? 0);
  });

  it("shows the heads and accepted blocks, then updates live as a deposit is relayed and its block accepted", async () => {
    page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));
    await page.goto(`${r.devnet.l2Url}/`);
    await page.waitForSelector('body[data-transport="sse"]');
    await page.waitForSelector("#blocks tbody tr");
    const l2Head = await r.l2.getBlockNumber();
    expect(numberIn(await page.textContent("#l2-head"))).to.be.at.least(l2Head);
    expect(numberIn(await page.textContent("#l1-head"))).to.be.at.least(r.devnet.deployment.deployBlock);
    expect(await page.textContent("#rollup-address")).to.equal(r.devnet.deployment.address);
    const acceptedBefore = numberIn(await page.textContent("#accepted-head"));
    expect(acceptedBefore).to.be.at.least(1);
    expect(await page.getAttribute("#blocks tbody tr:first-child", "data-number")).to.equal(String(acceptedBefore));
    // A marker that a reload would wipe: the page must change without one.
    await page.evaluate("window.notReloaded = true");

    const recipient = getAddress("0x000000000000000000000000000000000000d00d");
    const deposit = await (await r.rollup(1).depositETH(recipient, { value: parseEther("2") })).wait();
    const mined = Date.now();
    const nonce = (await r.devnet.node.bridge.statusContext().rollup.messageCount()) - 1n;
    const relayedRow = `#l1-to-l2 tr[data-nonce="${nonce}"][data-status="relayed"]`;
    await page.waitForSelector(relayedRow, { timeout: 20_000 });
    const relayedAfterMs = Date.now() - mined;
    const relayedIn = numberIn(await page.textContent(`${relayedRow} td:last-child`));
    expect(relayedIn).to.be.above(0);
    expect(await page.textContent(`${relayedRow}`)).to.include("2 ETH");
    expect(await r.l2.getBalance(recipient)).to.equal(parseEther("2"));

    // The block that relayed it gets accepted on L1: a new row with EXECUTE's gas and the witness size.
    const blockRow = `#blocks tr[data-number="${relayedIn}"][data-status="final"]`;
    await page.waitForSelector(blockRow, { timeout: 20_000 });
    const acceptedAfterMs = Date.now() - mined;
    const executeGas = Number(await page.getAttribute(`${blockRow} td.execute-gas`, "data-value"));
    const witnessBytes = Number(await page.getAttribute(`${blockRow} td.witness`, "data-value"));
    expect(executeGas).to.be.above(100_000);
    expect(witnessBytes).to.be.above(0);
    const accepted = r.devnet.node.bridge.submitter?.accepted.find((a) => a.number === BigInt(relayedIn));
    expect(executeGas).to.equal(Number(accepted?.executeGas));
    expect(witnessBytes).to.equal(accepted?.witnessBytes);
    expect(numberIn(await page.textContent("#accepted-head"))).to.be.at.least(relayedIn);
    // The L1 head comes from the node's L1 watcher, which polls: it may show the acceptance a moment later.
    await page.waitForFunction(
      `Number(document.getElementById("l1-head").textContent.replace(/[^0-9]/g, "")) > ${deposit?.blockNumber ?? 0}`,
      undefined,
      { timeout: 10_000 },
    );

    // The header names the mode; the queue count agrees with the list (no row is still "queued").
    expect(await page.textContent("#mode")).to.equal("re-execution by EXECUTE");
    const queuedRows = await page.locator('#l1-to-l2 tr[data-status="queued"]').count();
    expect(await page.textContent("#pending-messages")).to.equal(`${queuedRows} waiting`);

    expect(await page.evaluate("window.notReloaded === true")).to.equal(true);
    expect(await page.getAttribute("body", "data-transport")).to.equal("sse");
    expect(pageErrors).to.deep.equal([]);
    console.log(
      `      deposit mined → page shows it relayed in ${relayedAfterMs} ms, its L2 block accepted on L1 in ${acceptedAfterMs} ms`,
    );
  });

  it("shows the node's latest, safe and finalized L2 heads, as its JSON-RPC tags name them", async () => {
    const tags = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    await tags.goto(`${r.devnet.l2Url}/`);
    await tags.waitForSelector('body[data-transport="sse"]');
    // A block of the node's own, accepted on L1: `safe` reaches it once the node reads L1 again.
    const receipt = await (
      await r.l2Wallet(6).sendTransaction({ to: Wallet.createRandom().address, value: 1n })
    ).wait();
    const mined = receipt?.blockNumber ?? 0;
    await r.devnet.node.bridge.submitter?.waitForAccepted(BigInt(mined));
    const safe = await eventually("the safe tag at the accepted block", async () => {
      const block = await r.l2.getBlock("safe");
      return block !== null && block.number >= mined ? block : undefined;
    });
    const finalized = await r.l2.getBlock("finalized");
    const latest = await r.l2.getBlock("latest");
    expect(finalized?.number).to.be.at.most(safe.number);
    expect(latest?.number).to.be.at.least(safe.number);

    await tags.waitForFunction(
      `Number(document.getElementById("safe-head").textContent.replace(/[^0-9]/g, "")) === ${safe.number}`,
      undefined,
      { timeout: 20_000 },
    );
    expect(await tags.getAttribute("#safe-head-hash", "title")).to.equal(safe.hash);
    await tags.waitForFunction(
      `Number(document.getElementById("finalized-head").textContent.replace(/[^0-9]/g, "")) === ${finalized?.number}`,
      undefined,
      { timeout: 20_000 },
    );
    expect(await tags.getAttribute("#finalized-head-hash", "title")).to.equal(finalized?.hash);
    expect(numberIn(await tags.textContent("#l2-head"))).to.be.at.least(safe.number);
    const snapshot = await fetchSnapshot(r.devnet.l2Url);
    expect(snapshot.heads.safe).to.be.at.least(safe.number);
    expect(snapshot.heads.finalized).to.be.at.most(snapshot.heads.safe ?? 0);
    await tags.close();
  });

  it("shows L2 → L1 messages going from initiated to provable", async () => {
    const txHash = await withdrawToL1(r, 6, r.l1Wallet(6).address, parseEther("0.5"));
    const sent = await eventually("the withdrawal in the snapshot", async () =>
      (await fetchSnapshot(r.devnet.l2Url)).l2ToL1.find((m) => m.l2TransactionHash === txHash),
    );
    await page.waitForSelector(`#l2-to-l1 tr[data-hash="${sent.messageHash}"][data-status="provable"]`, {
      timeout: 20_000,
    });
    expect(await page.textContent(`#l2-to-l1 tr[data-hash="${sent.messageHash}"]`)).to.include("0.5 ETH");
    // The picture shows both directions; the highlight of new rows fades first.
    await page.waitForTimeout(2_200);
    mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  });

  it("shows a loading state until the first snapshot, never 'No L2 block accepted yet' while data is on its way", async () => {
    const waiting = await browser.newPage();
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    // The stream fails and the first poll is held back: the page has no snapshot yet.
    await waiting.route("**/events", (route) => route.abort());
    await waiting.route("**/api/dashboard", async (route) => {
      await released;
      await route.continue();
    });
    await waiting.goto(`${r.devnet.l2Url}/`);
    await waiting.waitForSelector("#loading", { state: "visible" });
    expect(await waiting.isVisible("#blocks-empty")).to.equal(false);
    expect(await waiting.isVisible("#l1-to-l2-empty")).to.equal(false);
    expect(await waiting.getAttribute("body", "data-loaded")).to.equal(null);
    release();
    await waiting.waitForSelector('body[data-loaded="true"]');
    expect(await waiting.isVisible("#loading")).to.equal(false);
    await waiting.waitForSelector("#blocks tbody tr");
    await waiting.close();
  });

  it("shows an L1 → L2 call that failed on L2 as failed, in red, with its decoded revert reason", async () => {
    const factory = await hre.ethers.getContractFactory("Counter", r.l2Wallet(8));
    const counter = await factory.deploy();
    await counter.waitForDeployment();
    const data = counter.interface.encodeFunctionData("failWithReason");
    await (await r.rollup(8).sendMessage(await counter.getAddress(), 200_000n, data)).wait();
    const nonce = (await r.devnet.node.bridge.statusContext().rollup.messageCount()) - 1n;
    const failedRow = `#l1-to-l2 tr[data-nonce="${nonce}"][data-status="failed"]`;
    await page.waitForSelector(failedRow, { timeout: 20_000 });
    expect(await page.textContent(`${failedRow} .badge-bad`)).to.equal("failed");
    expect(await page.textContent(`${failedRow} .revert-reason`)).to.equal("counter says no");
    const row = (await fetchSnapshot(r.devnet.l2Url)).l1ToL2.find((m) => m.nonce === Number(nonce));
    expect(row?.failureReason).to.equal("callFailed");
    expect(row?.revertReason).to.equal("counter says no");
  });

  it("opens an L2 block's transactions by clicking its row, and a transaction's receipt by clicking its hash or searching it", async () => {
    const transfer = await r.l2Wallet(9).sendTransaction({ to: r.l2Wallet(3).address, value: parseEther("0.125") });
    const receipt = await transfer.wait();
    const number = receipt?.blockNumber as number;
    await r.devnet.node.bridge.submitter?.waitForAccepted(BigInt(number));
    const blockRow = `#blocks tr[data-number="${number}"]`;
    await page.waitForSelector(blockRow, { timeout: 20_000 });
    await page.click(blockRow);
    const txRow = `#block-txs tr[data-hash="${transfer.hash}"]`;
    await page.waitForSelector(txRow);
    expect(await page.textContent(txRow)).to.include("0.125 ETH");
    expect(await page.textContent(`${txRow}`)).to.include("success");
    await page.click(`${txRow} a.tx-link`);
    await page.waitForFunction(`document.getElementById("tx-view-hash").textContent === "${transfer.hash}"`);
    expect(await page.textContent("#tx-receipt .fact-status")).to.equal("success");
    expect(await page.textContent("#tx-receipt .fact-gas-used")).to.equal("21,000");
    expect(await page.textContent("#tx-receipt .fact-from")).to.equal(r.l2Wallet(9).address.toLowerCase());

    // A hash typed in: unknown, then malformed, each an error on the page, not a blank.
    await page.fill("#tx-search-hash", `0x${"12".repeat(32)}`);
    await page.click("#tx-search button");
    await page.waitForSelector("#explorer-error:not([hidden])");
    expect(await page.textContent("#explorer-error")).to.contain("no L2 transaction");
    await page.fill("#tx-search-hash", "0x12");
    await page.click("#tx-search button");
    await page.waitForFunction(
      `document.getElementById("explorer-error").textContent.includes("is not a transaction hash")`,
    );
    expect((await fetch(`${r.devnet.l2Url}/api/l2/block/999999`)).status).to.equal(404);
  });

  it("answers 404 (not 405) for a GET of a path it does not serve", async () => {
    const response = await fetch(`${r.devnet.l2Url}/no-such-page`);
    expect(response.status).to.equal(404);
    expect(((await response.json()) as { error: { message: string } }).error.message).to.contain(
      "no page at /no-such-page",
    );
  });

  it("wraps a long halt reason inside the submitter's card, which takes the whole row: nothing overflows its row", async () => {
    const halted = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    // The node's real snapshot, as a halted submitter would report it: a reason with revert data
    // (an unbroken run of hex) and a hint. The page polls it (no event stream).
    const reason = `AdvanceFailed: the rollup reverted with data 0x${"ab".repeat(300)} for L2 block 7`;
    await halted.route("**/events", (route) => route.abort());
    await halted.route("**/api/dashboard", async (route) => {
      const snapshot = (await (await route.fetch()).json()) as DashboardSnapshot;
      const rollup = { ...snapshot.rollup, submitter: "halted", submitterError: reason, submitterHint: "fund the key" };
      await route.fulfill({ json: { ...snapshot, rollup } });
    });
    await halted.goto(`${r.devnet.l2Url}/`);
    await halted.waitForSelector("#submitter-error.bad-text");
    expect(await halted.textContent("#submitter-error")).to.equal(`${reason} — fund the key`);
    const layout = (await halted.evaluate(`(() => {
      const hint = document.getElementById("submitter-error");
      const card = hint.closest(".card");
      const row = card.parentElement;
      return {
        hintOverflow: hint.scrollWidth - hint.clientWidth,
        rowOverflow: row.scrollWidth - row.clientWidth,
        cardWidth: card.getBoundingClientRect().width,
        rowWidth: row.getBoundingClientRect().width,
        cardRight: card.getBoundingClientRect().right,
        rowRight: row.getBoundingClientRect().right,
      };
    })()`)) as Record<"hintOverflow" | "rowOverflow" | "cardWidth" | "rowWidth" | "cardRight" | "rowRight", number>;
    await halted.close();
    const shown = JSON.stringify(layout);
    // The reason wraps: neither it nor the row of cards scrolls sideways, the card stays in its row.
    expect(layout.hintOverflow, shown).to.be.at.most(0);
    expect(layout.rowOverflow, shown).to.be.at.most(0);
    expect(layout.cardRight, shown).to.be.at.most(layout.rowRight + 0.5);
    // The whole row, not a narrow column.
    expect(layout.cardWidth, shown).to.be.closeTo(layout.rowWidth, 1);
  });

  it("falls back to polling the JSON snapshot every second when the event stream is unavailable", async () => {
    const polling = await browser.newPage();
    await polling.route("**/events", (route) => route.abort());
    await polling.goto(`${r.devnet.l2Url}/dashboard`);
    await polling.waitForSelector('body[data-transport="polling"]');
    const first = Number(await (await polling.waitForFunction("document.body.dataset.generatedAt")).jsonValue());
    // A new L2 block changes the node: the next poll shows it.
    await (await r.l2Wallet(7).sendTransaction({ to: Wallet.createRandom().address, value: 1n })).wait();
    const head = await r.l2.getBlockNumber();
    await polling.waitForFunction(
      `Number(document.getElementById("l2-head").textContent.replace(/[^0-9]/g, "")) >= ${head}`,
      undefined,
      { timeout: 5_000 },
    );
    expect(Number(await polling.getAttribute("body", "data-generated-at"))).to.be.above(first);
    await polling.close();
  });
  it("shows in red that the node's L1 lost the rollup contract, keeping its last L1 view, and clears it once the code is back", async () => {
    const address = r.devnet.deployment.address;
    const code = await r.l1.getCode(address);
    const lost = await browser.newPage();
    await lost.goto(`${r.devnet.l2Url}/dashboard`);
    await r.l1.send("hardhat_setCode", [address, "0x"]);
    try {
      const snapshot = await eventually(
        "a snapshot with the rollup missing",
        async () => {
          const s = await fetchSnapshot(r.devnet.l2Url);
          return s.rollup.l1State === "rollup-missing" ? s : undefined;
        },
        30_000,
      );
      expect(snapshot.rollup.l1Detail).to.include(`no rollup contract at ${address}`);
      // The last L1 view stays: the accepted blocks are still listed.
      expect(snapshot.blocks.length).to.be.above(0);
      // A new L2 block pushes a snapshot to the page, which shows the reason in red.
      await (await r.l2Wallet(8).sendTransaction({ to: Wallet.createRandom().address, value: 1n })).wait();
      await lost.waitForFunction(
        `document.getElementById("l1-health").textContent.includes("ROLLUP MISSING")`,
        undefined,
        { timeout: 15_000 },
      );
      expect(await lost.getAttribute("#l1-health", "class")).to.contain("bad-text");
    } finally {
      await r.l1.send("hardhat_setCode", [address, code]);
    }
    await eventually(
      "a snapshot with the L1 ok again",
      async () => ((await fetchSnapshot(r.devnet.l2Url)).rollup.l1State === "ok" ? true : undefined),
      30_000,
    );
    await lost.close();
  });
});
