import { readFileSync } from "node:fs";
import path from "node:path";

import { DashboardError } from "./errors";

/** One static file of the page, held in memory with its content type. */
export interface DashboardAsset {
  readonly body: Buffer;
  readonly contentType: string;
}

/** The page's files: plain HTML, JS and CSS next to this module, no build step, nothing remote. */
export const ASSET_DIR = path.join(__dirname, "public");

const FILES = {
  "index.html": "text/html; charset=utf-8",
  "dashboard.js": "text/javascript; charset=utf-8",
  "dashboard.css": "text/css; charset=utf-8",
} as const;

export type DashboardAssetName = keyof typeof FILES;

/** Reads the page's files once, when the node starts: a missing file fails the start, not a request. */
export function loadDashboardAssets(dir: string = ASSET_DIR): Record<DashboardAssetName, DashboardAsset> {
  const load = (name: DashboardAssetName): DashboardAsset => {
    try {
      return { body: readFileSync(path.join(dir, name)), contentType: FILES[name] };
    } catch (error) {
      throw new DashboardError(
        "DASHBOARD_ASSET_MISSING",
        `cannot read the dashboard's ${name} in ${dir}: ${(error as Error).message}`,
        "the package is incomplete: restore rollup-node/dashboard/public/",
      );
    }
  };
  return {
    "index.html": load("index.html"),
    "dashboard.js": load("dashboard.js"),
    "dashboard.css": load("dashboard.css"),
  };
}
