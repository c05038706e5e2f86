/**
 * One attester as its own OS process. It holds one Baby Jubjub key, receives L2 blocks over
 * IPC, re-executes each with `verifyBlock`, and answers with a signature only if it verifies.
 * Started by `AttesterPool`; its first IPC message (`AttesterInit`) carries the private key, the
 * member index and the L1's fork rules and each chain's write rules (under which it re-executes as
 * EXECUTE does): nothing
 * secret is on its command line.
 */
import { getBytes } from "ethers";

import { ExecuteError } from "../../precompiles";
import { attestBlock } from "./attester";
import { AttesterKey, loadBabyJub } from "./committee";
import {
  type AttestRequest,
  type AttestResponse,
  type AttesterInit,
  commonOfForkConfig,
  writeRulesOfFork,
} from "./attesterProtocol";

function waitForInit(): Promise<AttesterInit> {
  return new Promise((resolve) => {
    const onMessage = (message: AttesterInit | AttestRequest): void => {
      if (!("init" in message)) return;
      process.off("message", onMessage);
      resolve(message);
    };
    process.on("message", onMessage);
  });
}

async function main(): Promise<void> {
  // The parent pool closes the IPC channel to stop the attester.
  process.on("disconnect", () => process.exit(0));
  const init = await waitForInit();
  const { memberIndex } = init;
  const common = commonOfForkConfig(init.fork);
  const writeRules = writeRulesOfFork(init.fork);
  const key = new AttesterKey(await loadBabyJub(), getBytes(init.privateKey));
  process.on("message", (request: AttestRequest | AttesterInit) => {
    if ("init" in request) return;
    const block = {
      chainId: BigInt(request.chainId),
      common,
      parentHeader: getBytes(request.parentHeader),
      block: getBytes(request.block),
      witness: getBytes(request.witness),
    };
    attestBlock(key, memberIndex, block, writeRules).then(
      ({ attestation, commitment }) =>
        send({
          id: request.id,
          ok: true,
          memberIndex,
          R8: [attestation.R8[0].toString(), attestation.R8[1].toString()],
          S: attestation.S.toString(),
          commitment: commitment.toString(),
        }),
      (error: unknown) =>
        send({
          id: request.id,
          ok: false,
          code: error instanceof ExecuteError ? error.code : undefined,
          reason: (error as Error).message,
        }),
    );
  });
  send({ id: 0, ok: true, ready: true, publicKey: key.publicKey.map(String) as [string, string] });
}

function send(response: AttestResponse): void {
  process.send?.(response);
}

main().catch((error) => {
  process.stderr.write(`attester failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
