import { mkdtempSync, rmSync } from "node:fs";
import { type Server, createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { hexlify, randomBytes } from "ethers";

import { startRollupDevnet } from "../../rollup-node/devnet/rollupDevnet";
import type { Logger } from "../../rollup-node/logger";
import { resolveAttesterCommand, startAttesterCommand } from "../../rollup-node/node/attesterCommand";

/**
 * A command started on a port another process holds fails with a typed error whose hint names the
 * option of that command that sets the port: `--port` / `--l2-port` of the devnet (its CLI and
 * `npx hardhat devnet`), `--port` of the attester (its CLI and `rollup:attester`). The node
 * command's own case is in node/nodeCommand.test.ts (it needs a deployed rollup).
 */

const silent: Logger = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };

/** A TCP port held by this test, so a server of the command cannot bind it. */
async function holdPort(): Promise<{ readonly port: number; release(): Promise<void> }> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return { port, release: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function rejection(run: () => Promise<unknown>): Promise<Error & { code?: string; hint?: string }> {
  try {
    await run();
  } catch (error) {
    return error as Error & { code?: string; hint?: string };
  }
  return expect.fail("expected the start to fail");
}

describe("a taken port: the error names the command's option that moves it", function () {
  this.timeout(300_000);
  const dirs: string[] = [];
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  for (const which of ["l1", "l2"] as const) {
    it(`the devnet on a taken ${which.toUpperCase()} port: RPC_LISTEN_FAILED, hint naming ${which === "l1" ? "--port" : "--l2-port"}`, async () => {
      const taken = await holdPort();
      const dataDir = mkdtempSync(path.join(tmpdir(), "taken-port-"));
      dirs.push(dataDir);
      try {
        const error = await rejection(() =>
          startRollupDevnet({
            dataDir: path.join(dataDir, "devnet"),
            l1Port: which === "l1" ? taken.port : 0,
            l2Port: which === "l2" ? taken.port : 0,
            logger: () => silent,
          }),
        );
        expect(error.code, error.message).to.equal("RPC_LISTEN_FAILED");
        expect(error.hint).to.contain(which === "l1" ? "--port N" : "--l2-port N");
        expect(error.hint).to.contain(String(taken.port));
      } finally {
        await taken.release();
      }
    });
  }

  it("the attester on a taken port: ATTESTER_LISTEN_FAILED, hint naming --port", async () => {
    const taken = await holdPort();
    try {
      const options = await resolveAttesterCommand(["--port", String(taken.port), "--host", "127.0.0.1"]);
      const error = await rejection(() =>
        startAttesterCommand(options as NonNullable<typeof options>, {
          logger: () => silent,
          env: { NATIVE_ROLLUP_ATTESTER_KEY: hexlify(randomBytes(32)) },
        }),
      );
      expect(error.code, error.message).to.equal("ATTESTER_LISTEN_FAILED");
      expect(error.hint).to.contain("--port N");
    } finally {
      await taken.release();
    }
  });
});
