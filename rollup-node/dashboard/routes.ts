import type http from "node:http";

import type { HttpRouteHandler } from "../rpc/server";
import { type DashboardAsset, type DashboardAssetName, loadDashboardAssets } from "./assets";
import type { DashboardFeed } from "./feed";
import type { ExplorerBlock, ExplorerReceipt } from "./explorer";
import type { DashboardSnapshot } from "./types";

/** The paths the dashboard answers on the L2 node's JSON-RPC port (GET only; POST stays JSON-RPC). */
export const DASHBOARD_PATHS = {
  page: ["/", "/dashboard", "/dashboard/"],
  script: "/dashboard.js",
  style: "/dashboard.css",
  snapshot: "/api/dashboard",
  events: "/events",
  /** `/api/l2/block/<number>`: an L2 block's transactions. */
  block: "/api/l2/block/",
  /** `/api/l2/tx/<hash>`: an L2 transaction's receipt. */
  transaction: "/api/l2/tx/",
} as const;

/** The L2 transaction view's reads (./explorer.ts). */
export interface DashboardExplorer {
  block(number: bigint): ExplorerBlock | undefined;
  receipt(hash: string): ExplorerReceipt | undefined;
}

export interface DashboardRoutesOptions {
  /** Comment lines sent this often keep idle proxies and browsers from closing the stream (default 15 s). */
  readonly heartbeatMs?: number;
  readonly assets?: Record<DashboardAssetName, DashboardAsset>;
  readonly explorer?: DashboardExplorer;
}

const NO_STORE = { "Cache-Control": "no-store" };

function sendAsset(res: http.ServerResponse, asset: DashboardAsset): void {
  res.writeHead(200, { "Content-Type": asset.contentType, "Content-Length": asset.body.length, ...NO_STORE });
  res.end(asset.body);
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "Content-Type": "application/json", "Access-Control-Allow-Origin": "*", ...NO_STORE });
  res.end(JSON.stringify(body));
}

/** One server-sent event; JSON.stringify never emits a newline, so `data` stays one line. */
function sseEvent(snapshot: DashboardSnapshot): string {
  return `event: snapshot\ndata: ${JSON.stringify(snapshot)}\n\n`;
}

/** Streams every new snapshot to the client, starting with the current one, until it hangs up. */
async function stream(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  feed: DashboardFeed,
  heartbeatMs: number,
): Promise<void> {
  res.writeHead(200, {
    "Content-Type": "text/event-stream",
    Connection: "keep-alive",
    "X-Accel-Buffering": "no",
    ...NO_STORE,
  });
  // Reconnect after 1 s if the stream drops (the page also falls back to polling meanwhile).
  res.write("retry: 1000\n\n");
  const unsubscribe = feed.subscribe((snapshot) => res.write(sseEvent(snapshot)));
  const heartbeat = setInterval(() => res.write(": ping\n\n"), heartbeatMs);
  const close = (): void => {
    clearInterval(heartbeat);
    unsubscribe();
  };
  req.on("close", close);
  res.on("close", close);
  try {
    res.write(sseEvent(await feed.current()));
  } catch (error) {
    res.write(`event: failure\ndata: ${JSON.stringify({ message: (error as Error).message })}\n\n`);
  }
}

/** GET routes of the dashboard: the page, its script and style, the JSON snapshot and the event stream. */
export function createDashboardRoutes(feed: DashboardFeed, options: DashboardRoutesOptions = {}): HttpRouteHandler {
  const assets = options.assets ?? loadDashboardAssets();
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  return async (req, res) => {
    const pathname = new URL(req.url ?? "/", "http://localhost").pathname;
    if ((DASHBOARD_PATHS.page as readonly string[]).includes(pathname)) sendAsset(res, assets["index.html"]);
    else if (pathname === DASHBOARD_PATHS.script) sendAsset(res, assets["dashboard.js"]);
    else if (pathname === DASHBOARD_PATHS.style) sendAsset(res, assets["dashboard.css"]);
    else if (pathname === DASHBOARD_PATHS.snapshot) {
      try {
        sendJson(res, 200, await feed.current());
      } catch (error) {
        sendJson(res, 503, { error: (error as Error).message });
      }
    } else if (pathname === DASHBOARD_PATHS.events) await stream(req, res, feed, heartbeatMs);
    else if (options.explorer !== undefined && pathname.startsWith(DASHBOARD_PATHS.block)) {
      const number = pathname.slice(DASHBOARD_PATHS.block.length);
      if (!/^\d{1,15}$/.test(number)) sendJson(res, 400, { error: `${number} is not a block number` });
      else {
        const block = options.explorer.block(BigInt(number));
        if (block === undefined) sendJson(res, 404, { error: `the node has no L2 block ${number}` });
        else sendJson(res, 200, block);
      }
    } else if (options.explorer !== undefined && pathname.startsWith(DASHBOARD_PATHS.transaction)) {
      const hash = pathname.slice(DASHBOARD_PATHS.transaction.length).toLowerCase();
      if (!/^0x[0-9a-f]{64}$/.test(hash)) sendJson(res, 400, { error: `${hash} is not a transaction hash` });
      else {
        const receipt = options.explorer.receipt(hash);
        if (receipt === undefined) sendJson(res, 404, { error: `no L2 transaction ${hash} is mined on this node` });
        else sendJson(res, 200, receipt);
      }
    } else return false;
    return true;
  };
}
