#!/usr/bin/env node
// The attester command as a process: `native-rollup-attester` (the package's bin), `ts-node
// rollup-node/provers/attesterCli.ts`, and what `npx hardhat rollup:attester` runs.
import { runCli, untilStopSignal } from "../cli";
import { createLineLogger, quietRepeats } from "../logger";
import { ATTESTER_OPTIONS, attesterHelp, attesterUsage } from "./attesterOptions";
import { parseCommandLine } from "./commandOptions";

/** Printed on stdout once the attester serves (`<prefix><url>`): parents wait for it. */
export const ATTESTER_READY_PREFIX = "attester ready at ";

export async function runAttesterCommand(
  argv: readonly string[],
  command = "native-rollup-attester",
  configFlag = "--config",
): Promise<void> {
  const usage = attesterUsage(command, configFlag);
  // `--help` is answered from the options alone: the command's modules (EthereumJS, ethers, the
  // committee's circuit) take ≈ 1 CPU s to load, for a text (docs/design/fast-tests.md, round 31b).
  const loaded =
    parseCommandLine(ATTESTER_OPTIONS, argv, usage).help === true ? undefined : await import("./attesterCommand");
  const options = await loaded?.resolveAttesterCommand(argv, usage);
  if (loaded === undefined || options === undefined) {
    process.stdout.write(`${attesterHelp(command)}\n`);
    return;
  }
  const write = (line: string): void => void process.stderr.write(`${line}\n`);
  const server = await loaded.startAttesterCommand(options, {
    logger: (component) => quietRepeats(createLineLogger(component, write)),
  });
  process.stdout.write(`${ATTESTER_READY_PREFIX}${server.url}\n`);
  await untilStopSignal();
  await server.close();
}

if (require.main === module) runCli(() => runAttesterCommand(process.argv.slice(2)));
