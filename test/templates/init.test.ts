import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { randomBytes } from "node:crypto";

import { expect } from "chai";
import { Contract, Interface, type InterfaceAbi, JsonRpcProvider, Wallet, hexlify, parseEther, toBeHex } from "ethers";

import { rollupContractShape, takesExecutor } from "../../deploy/contractArtifact";
import { type RollupDeployment, loadDeployment } from "../../deploy/rollup";
import { acceptanceHistory } from "../../rollup-node/bridge/acceptance";
import { keyEnvNames } from "../../rollup-node/node/keySources";
import { RollupClient } from "../../sdk";
import { freePort } from "../support/freePort";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { waitedChildrenCpuMs } = require("../support/fileTimings") as { waitedChildrenCpuMs(): number };
import { type InitArgs, InitOptionsError, resolveInitOptions } from "../../tasks/init/options";
import { renderTemplate } from "../../tasks/init/render";

const ROOT = path.resolve(__dirname, "..", "..");
const ROOT_PACKAGE = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
  version: string;
  devDependencies: Record<string, string>;
};

interface RunResult {
  readonly code: number | null;
  readonly output: string;
  readonly ms: number;
  /** CPU ms of the processes this test waited for meanwhile (the command's tree, on Linux; NaN elsewhere). */
  readonly cpuMs: number;
}

/** The environment of a command run in another project: none of this Hardhat run's settings. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true" };
  for (const key of Object.keys(env))
    if (key.startsWith("TS_NODE_") || key.startsWith("HARDHAT_NETWORK")) delete env[key];
  return env;
}

function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  const started = Date.now();
  const startedCpu = waitedChildrenCpuMs();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...childEnv(), ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) =>
      resolve({ code, output, ms: Date.now() - started, cpuMs: waitedChildrenCpuMs() - startedCpu }),
    );
  });
}

function rejectionOf(fn: () => unknown): InitOptionsError {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(InitOptionsError);
    return error as InitOptionsError;
  }
  throw new Error("expected the options to be refused");
}

/** Waits until the running command printed `pattern`; rejects if it exits first. */
function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (pattern.test(output)) {
        clearTimeout(timer);
        resolve(output);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before printing ${pattern}:\n${output}`));
    });
  });
}

describe("rollup:init", () => {
  let scratch: string;

  before(() => {
    scratch = mkdtempSync(path.join(tmpdir(), "rollup-init-test-"));
  });

  after(() => {
    rmSync(scratch, { recursive: true, force: true });
  });

  describe("options", () => {
    it("refuses a folder that is not empty, naming it", () => {
      const dir = path.join(scratch, "taken");
      mkdirSync(dir);
      writeFileSync(path.join(dir, "notes.txt"), "mine");
      const error = rejectionOf(() => resolveInitOptions({ dir }));
      expect(error.code).to.equal("DIR_NOT_EMPTY");
      expect(error.message).to.contain(dir).and.to.contain("not an empty folder");
    });

    it("refuses an unknown sequencing or proof policy, listing the allowed ones", () => {
      const sequencing = rejectionOf(() =>
        resolveInitOptions({ dir: path.join(scratch, "a"), sequencing: "round-robin" }),
      );
      expect(sequencing.message)
        .to.contain("--sequencing must be one of permissioned, based, fallback")
        .and.to.contain("round-robin");
      const proofs = rejectionOf(() => resolveInitOptions({ dir: path.join(scratch, "a"), proofs: "zk" }));
      expect(proofs.message).to.contain("--proofs must be one of reexecution, k-of-n");
    });

    it("refuses inconsistent proof options: k without k-of-n, k above n, k-of-n with optimistic", () => {
      expect(rejectionOf(() => resolveInitOptions({ dir: path.join(scratch, "a"), k: 2 })).message).to.contain(
        "--k and --n only apply to --proofs k-of-n",
      );
      expect(
        rejectionOf(() => resolveInitOptions({ dir: path.join(scratch, "a"), proofs: "k-of-n", k: 3, n: 2 })).message,
      ).to.contain("--k 3 exceeds --n 2");
      expect(
        rejectionOf(() => resolveInitOptions({ dir: path.join(scratch, "a"), proofs: "k-of-n", optimistic: true }))
          .message,
      ).to.contain("cannot be combined");
    });

    it("refuses a bad contract name, the L1's chain id and a malformed gas limit", () => {
      expect(rejectionOf(() => resolveInitOptions({ dir: path.join(scratch, "a"), name: "my-rollup" })).code).to.equal(
        "BAD_NAME",
      );
      expect(rejectionOf(() => resolveInitOptions({ dir: path.join(scratch, "a"), chainId: 1337 })).message).to.contain(
        "devnet L1's chain id",
      );
      expect(
        rejectionOf(() => resolveInitOptions({ dir: path.join(scratch, "a"), gasLimit: "4e6" })).message,
      ).to.contain("--gas-limit must be a whole number");
      expect(rejectionOf(() => resolveInitOptions({ dir: path.join(scratch, "a"), blockTime: 0 })).message).to.contain(
        "--block-time must be an integer",
      );
    });

    it("derives the contract and package names from the folder by default", () => {
      const options = resolveInitOptions({ dir: path.join(scratch, "my-cool_chain") });
      expect(options.name).to.equal("MyCoolChain");
      expect(options.project).to.equal("my-cool_chain");
      expect(options.sequencing).to.equal("fallback");
      expect(options.mode.kind).to.equal("reexecution");
    });
  });

  describe("template", () => {
    const variants = [
      { sequencing: "permissioned", base: "NativeRollup", hook: "if (submitter != SEQUENCER) revert NotSequencer" },
      {
        sequencing: "based",
        base: "NativeRollup",
        hook: "function _authorizeAdvance(address) internal pure override {}",
      },
      {
        sequencing: "fallback",
        base: "NativeRollup",
        hook: "if (block.timestamp < openAt) revert NotSequencer(submitter, openAt);",
      },
    ] as const;

    for (const variant of variants) {
      it(`renders every file for ${variant.sequencing} sequencing, with that policy's hook and tests`, () => {
        const options = resolveInitOptions({
          dir: path.join(scratch, `render-${variant.sequencing}`),
          name: "Acme",
          sequencing: variant.sequencing,
        });
        const files = renderTemplate(options, "9.9.9");
        for (const file of files) expect(file.content, file.path).not.to.match(/\{\{[A-Z_]+\}\}/);
        const contract = files.find((f) => f.path === "contracts/AcmeRollup.sol")?.content ?? "";
        expect(contract).to.contain(`contract AcmeRollup is ${variant.base}`).and.to.contain(variant.hook);
        const tests = files.find((f) => f.path === "test/sequencing.test.ts")?.content ?? "";
        expect(tests).to.contain(`sequencing: ${variant.sequencing}`);
      });
    }

    it("makes a k-of-n rollup set its proof policy and an optimistic one inherit OptimisticRollup", () => {
      const proven = renderTemplate(
        resolveInitOptions({ dir: path.join(scratch, "p"), name: "Acme", proofs: "k-of-n", k: 2, n: 3 }),
        "9.9.9",
      );
      expect(proven.find((f) => f.path === "contracts/AcmeRollup.sol")?.content)
        .to.contain("ProofPolicy memory policy")
        .and.to.contain("_setProofPolicy(policy);");
      expect(proven.find((f) => f.path === "rollup.config.ts")?.content).to.contain(
        "proofs: { committees: 3, threshold: 2 }",
      );
      const optimistic = renderTemplate(
        resolveInitOptions({ dir: path.join(scratch, "o"), name: "Acme", optimistic: true }),
        "9.9.9",
      );
      expect(optimistic.find((f) => f.path === "contracts/AcmeRollup.sol")?.content)
        .to.contain("contract AcmeRollup is OptimisticRollup")
        .and.to.contain("OptimisticRollup(optimistic)");
      expect(optimistic.find((f) => f.path === "rollup.config.ts")?.content).to.contain("optimistic: {");
    });

    it("reads a ProofModeExecute executor through IVerifierRegistry (ProofModeExecute's own verifierOf: same selector, same output), so a project compiles no verifier", () => {
      const contract =
        renderTemplate(resolveInitOptions({ dir: path.join(scratch, "r"), name: "Acme" }), "9.9.9").find(
          (f) => f.path === "contracts/AcmeRollup.sol",
        )?.content ?? "";
      expect(contract)
        .to.contain('import {IVerifierRegistry} from "native-rollup/contracts/interfaces/IVerifierRegistry.sol"')
        .and.to.contain("IVerifierRegistry(executor).verifierOf(keyHash)")
        .and.not.to.contain("contracts/verifiers/");
      const abiOf = (file: string, name: string): Interface =>
        new Interface(
          (
            JSON.parse(readFileSync(path.join(ROOT, "artifacts", "contracts", file, `${name}.json`), "utf8")) as {
              abi: InterfaceAbi;
            }
          ).abi,
        );
      const registry = abiOf("interfaces/IVerifierRegistry.sol", "IVerifierRegistry").getFunction("verifierOf");
      const executor = abiOf("verifiers/ProofModeExecute.sol", "ProofModeExecute").getFunction("verifierOf");
      expect(executor?.selector).to.equal(registry?.selector);
      expect(executor?.stateMutability).to.equal(registry?.stateMutability);
      expect(executor?.outputs.map((o) => o.type)).to.deep.equal(registry?.outputs.map((o) => o.type));
    });
  });

  it("every combination of policies gives a rollup contract that compiles, with the constructor the devnet deploys", function () {
    this.timeout(120_000);
    const combos: { name: string; args: Partial<InitArgs>; shape: { optimistic: boolean; proofPolicy: boolean } }[] =
      [];
    for (const sequencing of ["permissioned", "based", "fallback"]) {
      const cap = sequencing[0]?.toUpperCase() + sequencing.slice(1);
      // The default contract takes a policy and its executor: re-execution on the devnet, proof mode on any L1.
      combos.push({ name: `${cap}Reexec`, args: { sequencing }, shape: { optimistic: false, proofPolicy: true } });
      combos.push({
        name: `${cap}Proven`,
        args: { sequencing, proofs: "k-of-n", k: 2, n: 3 },
        shape: { optimistic: false, proofPolicy: true },
      });
      combos.push({
        name: `${cap}Optimistic`,
        args: { sequencing, optimistic: true },
        shape: { optimistic: true, proofPolicy: false },
      });
    }
    const sources: Record<string, { content: string }> = {};
    for (const combo of combos) {
      const files = renderTemplate(
        resolveInitOptions({ dir: path.join(scratch, combo.name), name: combo.name, ...combo.args }),
        "9.9.9",
      );
      sources[`${combo.name}Rollup.sol`] = {
        content: files.find((f) => f.path === `contracts/${combo.name}Rollup.sol`)?.content ?? "",
      };
    }
    // The generated imports name the package; here they resolve to this repository's sources.
    const findImports = (file: string): { contents: string } | { error: string } => {
      const local = file.startsWith("native-rollup/")
        ? path.join(ROOT, file.slice("native-rollup/".length))
        : path.join(ROOT, "node_modules", file);
      return existsSync(local) ? { contents: readFileSync(local, "utf8") } : { error: `not found: ${file}` };
    };
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const solc = require("solc") as { compile(input: string, options: { import: typeof findImports }): string };
    const input = {
      language: "Solidity",
      sources,
      settings: { evmVersion: "prague", outputSelection: { "*": { "*": ["abi"] } } },
    };
    const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports })) as {
      errors?: { severity: string; formattedMessage: string }[];
      contracts: Record<string, Record<string, { abi: { type?: string; name?: string }[] }>>;
    };
    const errors = (output.errors ?? []).filter((e) => e.severity === "error").map((e) => e.formattedMessage);
    expect(errors, errors.join("\n")).to.deep.equal([]);
    for (const combo of combos) {
      const abi = output.contracts[`${combo.name}Rollup.sol`]?.[`${combo.name}Rollup`]?.abi ?? [];
      expect(
        abi.some((f) => f.type === "function" && f.name === "advance"),
        `${combo.name} has advance`,
      ).to.equal(true);
      expect(rollupContractShape({ contractName: combo.name, abi, bytecode: "0x" }), combo.name).to.deep.equal(
        combo.shape,
      );
      expect(
        takesExecutor({ contractName: combo.name, abi, bytecode: "0x" }),
        `${combo.name} takes an executor`,
      ).to.equal(!combo.shape.optimistic);
    }
  });

  describe("a created project", function () {
    // Packs the framework, installs the project from npm's cache and runs its tests: ~1 min.
    this.timeout(300_000);
    let project: string;
    const timings: Record<string, number> = {};
    /** CPU ms per step of the processes it started (docs/design/fast-tests.md, round 23). */
    const cpu: Record<string, number> = {};

    before(async () => {
      project = path.join(scratch, "acme-chain");
      const init = await run(
        process.execPath,
        [
          require.resolve("hardhat/internal/cli/cli"),
          "rollup:init",
          project,
          "--name",
          "Acme",
          "--chain-id",
          "777",
          "--block-time",
          "500",
          "--gas-limit",
          "8000000",
          "--sequencing",
          "based",
        ],
        ROOT,
      );
      timings.init = init.ms;
      cpu.init = init.cpuMs;
      expect(init.code, init.output).to.equal(0);
    });

    after(() => {
      const line = Object.entries(timings)
        .map(([step, ms]) => `${step} ${(ms / 1000).toFixed(1)} s`)
        .join(", ");
      console.log(`      rollup:init timings: ${line}`);
      const cpuLine = Object.entries(cpu)
        .map(([step, ms]) => `${step} ${(ms / 1000).toFixed(1)} s`)
        .join(", ");
      console.log(`      rollup:init CPU of the processes started: ${cpuLine}`);
    });

    it("is self-contained: exact versions equal to ours, the framework vendored, scripts off", () => {
      const pkg = JSON.parse(readFileSync(path.join(project, "package.json"), "utf8")) as {
        devDependencies: Record<string, string>;
        scripts: Record<string, string>;
      };
      for (const [name, version] of Object.entries(pkg.devDependencies)) {
        if (name === "native-rollup") expect(version).to.equal(`file:vendor/native-rollup-${ROOT_PACKAGE.version}.tgz`);
        else expect(version, name).to.equal(ROOT_PACKAGE.devDependencies[name]);
      }
      expect(existsSync(path.join(project, "vendor", `native-rollup-${ROOT_PACKAGE.version}.tgz`))).to.equal(true);
      expect(existsSync(path.join(project, "package-lock.json"))).to.equal(true);
      expect(readFileSync(path.join(project, ".npmrc"), "utf8")).to.contain("ignore-scripts=true");
      expect(pkg.scripts.test).to.equal("hardhat test");
      expect(pkg.scripts.devnet).to.equal("hardhat devnet");
      expect(readFileSync(path.join(project, "README.md"), "utf8"))
        .to.contain("npm ci && npm run devnet")
        .and.to.contain("npm ci && npm test");
      expect(readFileSync(path.join(project, "contracts", "AcmeRollup.sol"), "utf8")).to.contain(
        'import {NativeRollup} from "native-rollup/contracts/rollup/NativeRollup.sol"',
      );
    });

    it("gets the framework without this repository's test data (no test/ folder, no rpc-compat suite)", () => {
      const tarball = path.join(project, "vendor", `native-rollup-${ROOT_PACKAGE.version}.tgz`);
      const entries = execFileSync("tar", ["tzf", tarball], { encoding: "utf8" })
        .split("\n")
        .filter((e) => e !== "");
      expect(entries, "the tarball's entries").to.include("package/rollup-node/conformance/suite.js");
      expect(
        entries.filter(
          (e) => e.startsWith("package/test/") || e.includes("rpc-compat") || e.endsWith(".io") || e.endsWith(".rlp"),
        ),
      ).to.deep.equal([]);
    });

    it("installs with npm ci and passes its own tests (EXECUTE, based sequencing, SDK deposit and withdrawal)", async () => {
      const ci = await run("npm", ["ci", "--prefer-offline", "--no-audit", "--no-fund"], project);
      timings["npm ci"] = ci.ms;
      cpu["npm ci"] = ci.cpuMs;
      expect(ci.code, ci.output).to.equal(0);
      const test = await run("npm", ["test"], project);
      timings["npm test"] = test.ms;
      cpu["npm test"] = test.cpuMs;
      expect(test.code, test.output).to.equal(0);
      expect(test.output).to.match(/\b8 passing\b/);
      expect(test.output).not.to.match(/\bfailing\b/);
      expect(test.output).to.contain("accepts a block from any account at any time (based sequencing)");
      expect(test.output).to.contain(
        "a withdrawal on L2 becomes provable once its block is accepted on L1, and finalizes there once",
      );
      // The rollup reads its executor through IVerifierRegistry: ProofModeExecute and the verifiers
      // it imports are not compiled with it (their artifacts ship in the package).
      expect(
        existsSync(
          path.join(project, "artifacts", "native-rollup", "contracts", "interfaces", "IVerifierRegistry.sol"),
        ),
      ).to.equal(true);
      expect(existsSync(path.join(project, "artifacts", "native-rollup", "contracts", "verifiers"))).to.equal(false);
    });

    it("typechecks against the framework's declarations (native-rollup/hardhat, /devnet, /sdk)", async () => {
      const typecheck = await run("npm", ["run", "typecheck"], project);
      timings.typecheck = typecheck.ms;
      cpu.typecheck = typecheck.cpuMs;
      expect(typecheck.code, typecheck.output).to.equal(0);
    });

    it("with --proofs k-of-n, sends its hand-made blocks with their proofs: its sequencing test passes (fallback, 1 of 1 committee)", async () => {
      // Rendered beside the project above and run on its installed node_modules (same package.json):
      // a second npm ci would cost minutes; the sequencing test alone, its compile included, costs
      // ~45 CPU s (~60 before each refused block's proofs were reused: fast-tests.md, round 29a).
      const proven = path.join(scratch, "acme-proven");
      const options = resolveInitOptions({ dir: proven, name: "Acme", chainId: 777, proofs: "k-of-n", k: 1, n: 1 });
      for (const file of renderTemplate(options, ROOT_PACKAGE.version)) {
        mkdirSync(path.dirname(path.join(proven, file.path)), { recursive: true });
        writeFileSync(path.join(proven, file.path), file.content);
      }
      writeFileSync(path.join(proven, "package.json"), readFileSync(path.join(project, "package.json")));
      symlinkSync(path.join(project, "node_modules"), path.join(proven, "node_modules"), "dir");
      const test = await run("npx", ["hardhat", "test", "test/sequencing.test.ts"], proven);
      timings["k-of-n sequencing test"] = test.ms;
      cpu["k-of-n sequencing test"] = test.cpuMs;
      expect(test.code, test.output).to.equal(0);
      expect(test.output).to.match(/\b4 passing\b/);
      expect(test.output).not.to.match(/\bfailing\b/);
      expect(test.output).to.contain(
        "accepts a block from anyone once the sequencer has been silent for the inactivity period",
      );
    });

    it("tests its L2 contract like any Hardhat contract (npm run test:l2: loadFixture, chai matchers, TypeChain on the in-process L2)", async () => {
      const test = await run("npm", ["run", "test:l2"], project);
      timings["test:l2"] = test.ms;
      cpu["test:l2"] = test.cpuMs;
      expect(test.code, test.output).to.equal(0);
      expect(test.output).to.match(/\b6 passing\b/);
      expect(test.output).not.to.match(/\b(failing|pending)\b/);
      expect(test.output).to.contain("starts every test from the fixture: the greeting changed above is back");
    });

    describe("with its devnet running (`npm run devnet`, one process for the tests that need one)", () => {
      let devnet: ChildProcess;
      let banner: string;
      let l2Url: string;
      let cpuBefore = 0;

      before(async () => {
        const started = Date.now();
        cpuBefore = waitedChildrenCpuMs();
        devnet = spawn(
          process.execPath,
          [
            require.resolve("hardhat/internal/cli/cli", { paths: [project] }),
            "devnet",
            "--port",
            "0",
            "--l2-port",
            "0",
          ],
          {
            cwd: project,
            env: childEnv(),
            stdio: ["ignore", "pipe", "pipe"],
          },
        );
        banner = await waitForOutput(devnet, /L2 +http\S+ +chain id 777[\s\S]*AcmeRollup \(L1\)/, 60_000);
        timings["devnet start"] = Date.now() - started;
        l2Url = /L2 +(http\S+)/.exec(banner)?.[1] as string;
      });

      after(async () => {
        if (devnet === undefined || devnet.exitCode !== null || devnet.signalCode !== null) return;
        const exited = new Promise((resolve) => devnet.once("exit", resolve));
        devnet.kill("SIGINT");
        await exited;
        cpu["devnet and its tests' processes"] = waitedChildrenCpuMs() - cpuBefore;
      });

      it("its `npm run devnet` (hardhat devnet) deploys AcmeRollup, serves L2 chain 777 and the dashboard", async () => {
        expect(banner).to.contain("block time 500 ms");
        // The dashboard's page and data come from the vendored package's assets.
        const page = await fetch(`${l2Url}/`);
        expect(page.status).to.equal(200);
        expect(await page.text()).to.contain("dashboard.js");
        const snapshot = (await (await fetch(`${l2Url}/api/dashboard`)).json()) as { rollup: { l2ChainId: number } };
        expect(Number(snapshot.rollup.l2ChainId)).to.equal(777);
      });

      it("deploys its L2 contract with scripts/deployL2.ts --network l2 to a running devnet's L2, and refuses an L1 network", async () => {
        const cli = require.resolve("hardhat/internal/cli/cli", { paths: [project] });
        const deployed = await run(process.execPath, [cli, "run", "scripts/deployL2.ts", "--network", "l2"], project, {
          L2_RPC_URL: l2Url,
        });
        timings.deployL2 = deployed.ms;
        cpu.deployL2 = deployed.cpuMs;
        expect(deployed.code, deployed.output).to.equal(0);
        const address = /Greeter deployed on the Acme L2 \(chain 777\) at (0x[0-9a-fA-F]{40})/.exec(
          deployed.output,
        )?.[1];
        expect(address, deployed.output).to.be.a("string");
        const answer = await fetch(l2Url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_getCode", params: [address, "latest"] }),
        });
        expect(((await answer.json()) as { result: string }).result).to.match(/^0x[0-9a-f]{100,}$/);
        // The default network is the L1 devnet: the script refuses it instead of deploying there.
        const onL1 = await run(process.execPath, [cli, "run", "scripts/deployL2.ts"], project);
        expect(onL1.code, onL1.output).to.equal(1);
        expect(onL1.output).to.contain("is chain 1337, not the L2 (chain 777): run with --network l2");
      });
    });

    it("runs the node and the attester without Hardhat (the package's bins)", async () => {
      const cpuBefore = waitedChildrenCpuMs();
      const nodeHelp = await run("npx", ["--no-install", "native-rollup-node", "--help"], project);
      expect(nodeHelp.code, nodeHelp.output).to.equal(0);
      expect(nodeHelp.output)
        .to.contain("--deployment FILE")
        .and.to.contain("--genesis FILE")
        .and.to.contain("--l1-rpc URL");
      const attesterHelp = await run("npx", ["--no-install", "native-rollup-attester", "--help"], project);
      expect(attesterHelp.code, attesterHelp.output).to.equal(0);
      expect(attesterHelp.output).to.contain("NATIVE_ROLLUP_ATTESTER_KEY");
      cpu["bins --help"] = waitedChildrenCpuMs() - cpuBefore;
    });

    it("on `npx hardhat node` (no EXECUTE): rollup:genesis writes its genesis, rollup:deploy deploys its default contract with Groth16 verifiers, its attesters and node run as processes with fresh keys from the environment, and a deposit, an L2 transfer and a withdrawal go through", async function () {
      this.timeout(600_000);
      const cpuBefore = waitedChildrenCpuMs();
      const hardhatCli = require.resolve("hardhat/internal/cli/cli", { paths: [project] });
      const bin = (name: string): string => path.join(project, "node_modules", ".bin", name);
      const children: ChildProcess[] = [];
      const spawnIn = (command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): ChildProcess => {
        const child = spawn(command, args, {
          cwd: project,
          env: { ...childEnv(), ...env },
          stdio: ["ignore", "pipe", "pipe"],
        });
        children.push(child);
        return child;
      };
      const hardhat = (args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> =>
        new Promise((resolve, reject) => {
          const started = Date.now();
          const startedCpu = waitedChildrenCpuMs();
          const child = spawnIn(process.execPath, [hardhatCli, ...args], env);
          let output = "";
          child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
          child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
          child.on("error", reject);
          child.on("close", (code) =>
            // Two run at once (the genesis and the keys): each one's CPU then counts both.
            resolve({ code, output, ms: Date.now() - started, cpuMs: waitedChildrenCpuMs() - startedCpu }),
          );
        });
      // Every key is fresh: none is of the public dev mnemonic the hardhat node funds.
      const deployer = Wallet.createRandom();
      const sequencer = Wallet.createRandom();
      const relayer = Wallet.createRandom();
      const user = Wallet.createRandom();
      const attesterKeys = [0, 1, 2].map(() => hexlify(randomBytes(32)));
      let l1: JsonRpcProvider | undefined;
      let l2: JsonRpcProvider | undefined;
      try {
        // One hardhat node (the project's Hardhat, its own network) and the three attesters, started together.
        const started = Date.now();
        const l1Port = await freePort();
        const l1Node = spawnIn(process.execPath, [
          hardhatCli,
          "node",
          "--network",
          "hardhat",
          "--hostname",
          "127.0.0.1",
          "--port",
          String(l1Port),
        ]);
        const attesters = attesterKeys.map((key) =>
          spawnIn(bin("native-rollup-attester"), ["--port", "0"], { [keyEnvNames("attester").key]: key }),
        );
        const [, ...attesterOutputs] = await Promise.all([
          waitForOutput(l1Node, /Started HTTP and WebSocket JSON-RPC server/, 120_000),
          ...attesters.map((a) => waitForOutput(a, /attester ready at (\S+)/, 120_000)),
        ]);
        timings["hardhat node + 3 attesters start"] = Date.now() - started;
        const l1Url = `http://127.0.0.1:${l1Port}`;
        const attesterUrls = attesterOutputs.map((o) => /attester ready at (\S+)/.exec(o)?.[1] as string);
        l1 = new JsonRpcProvider(l1Url, undefined, { staticNetwork: true, pollingInterval: 100, cacheTimeout: -1 });
        for (const [address, eth] of [
          [deployer.address, "5000"],
          [sequencer.address, "100"],
          [user.address, "100"],
        ] as const)
          await l1.send("hardhat_setBalance", [address, toBeHex(parseEther(eth))]);

        // The genesis (its relayer funded) and the committee's verification key, both from the project's tasks.
        const [genesis, keys] = await Promise.all([
          hardhat(["rollup:genesis", "--out", "genesis.json", "--relayer", relayer.address]),
          hardhat(["rollup:verification-keys", "--attesters", attesterUrls.join(","), "--out", "keys.json"]),
        ]);
        expect(genesis.code, genesis.output).to.equal(0);
        expect(keys.code, keys.output).to.equal(0);
        // The genesis a user's node starts from (one rollup:genesis process for the file's two uses).
        const written = JSON.parse(readFileSync(path.join(project, "genesis.json"), "utf8")) as {
          config: { chainId: number; osakaTime: number };
          alloc: Record<string, { code?: string; balance: string }>;
        };
        expect(written.config.chainId).to.equal(777);
        expect(written.config.osakaTime).to.equal(0);
        expect(written.alloc["0x4e41540000000000000000000000000000000100"]?.code, "AcmeInfo predeploy").to.match(
          /^0x[0-9a-f]+$/,
        );
        expect(
          BigInt(written.alloc["0x000000000000000000000000000000000000ca5e"]?.balance ?? "0"),
          "treasury",
        ).to.equal(1000n * 10n ** 18n);
        const relayerAlloc = Object.entries(written.alloc).find(
          ([address]) => address.toLowerCase() === relayer.address.toLowerCase(),
        )?.[1];
        expect(BigInt(relayerAlloc?.balance ?? "0"), "relayer").to.be.greaterThan(0n);
        const deploy = await hardhat(
          [
            "rollup:deploy",
            "--l1-rpc",
            l1Url,
            "--genesis",
            "genesis.json",
            "--verification-keys",
            "keys.json",
            "--sequencer",
            sequencer.address,
            "--out",
            "deployment.json",
          ],
          { [keyEnvNames("deployer").key]: deployer.privateKey },
        );
        timings["rollup:deploy"] = deploy.ms;
        cpu["rollup:deploy"] = deploy.cpuMs;
        expect(deploy.code, deploy.output).to.equal(0);
        expect(deploy.output).to.contain("there is no precompile there").and.to.contain("mode proofs-verifiers");
        const deployment = (await loadDeployment(path.join(project, "deployment.json"))) as RollupDeployment;
        expect(deployment.contractName).to.equal("AcmeRollup");
        expect(deployment.mode).to.equal("proofs-verifiers");
        expect(deployment.l2ChainId).to.equal(777n);
        const rollup = new Contract(deployment.address, ["function EXECUTOR() view returns (address)"], l1);
        expect(await rollup.getFunction("EXECUTOR")()).to.equal(deployment.executor);

        const node = spawnIn(
          bin("native-rollup-node"),
          [
            "--deployment",
            "deployment.json",
            "--genesis",
            "genesis.json",
            "--l1-rpc",
            l1Url,
            "--attesters",
            attesterUrls.join(","),
            "--port",
            "0",
            "--block-time",
            "500",
          ],
          {
            [keyEnvNames("sequencer").key]: sequencer.privateKey,
            [keyEnvNames("relayer").key]: relayer.privateKey,
          },
        );
        const nodeOutput = await waitForOutput(node, /L2 node ready at (\S+)/, 120_000);
        const l2Url = /L2 node ready at (\S+)/.exec(nodeOutput)?.[1] as string;
        l2 = new JsonRpcProvider(l2Url, undefined, { staticNetwork: true, pollingInterval: 100, cacheTimeout: -1 });
        const client = new RollupClient({
          l1: user.connect(l1),
          l2: user.connect(l2),
          rollupAddress: deployment.address,
          l1FromBlock: BigInt(deployment.deployBlock),
          pollingIntervalMs: 100,
          receiptTimeoutMs: 180_000,
        });
        const t0 = Date.now();
        const deposit = await client.deposit({ to: user.address, amount: parseEther("2") });
        await client.waitForMessageStatus(deposit, "relayed", { timeoutMs: 180_000 });
        timings["deposit → credit"] = Date.now() - t0;
        const friend = Wallet.createRandom().address;
        await (await user.connect(l2).sendTransaction({ to: friend, value: parseEther("0.5") })).wait();
        expect(await l2.getBalance(friend)).to.equal(parseEther("0.5"));
        const l1Recipient = Wallet.createRandom().address;
        const t1 = Date.now();
        const withdrawal = await client.withdraw({ to: l1Recipient, amount: parseEther("1") });
        await client.waitForMessageStatus(withdrawal, "provable", { timeoutMs: 240_000 });
        await client.finalizeWithdrawal(withdrawal);
        timings["withdrawal → final"] = Date.now() - t1;
        expect(await l1.getBalance(l1Recipient)).to.equal(parseEther("1"));
        // Every block L1 accepted was proven (through the Groth16 verifiers): the advances' gas.
        const history = await acceptanceHistory(l1, deployment.address);
        expect(history.length).to.be.greaterThan(0);
        expect(history.every((b) => b.mode === "proven")).to.equal(true);
        const gas = await Promise.all(
          history.map(async (b) => (await (l1 as JsonRpcProvider).getTransactionReceipt(b.l1TransactionHash))?.gasUsed),
        );
        console.log(
          `      AcmeRollup on verifiers (hardhat node): ${history.length} advances, L1 gas ${gas.join(", ")}`,
        );
      } finally {
        l1?.destroy();
        l2?.destroy();
        await Promise.all(
          children.map(
            (child) =>
              new Promise((resolve) => {
                if (child.exitCode !== null || child.signalCode !== null) return resolve(undefined);
                child.once("exit", resolve);
                child.kill("SIGTERM");
              }),
          ),
        );
        cpu["hardhat node, 3 attesters, the node, the tasks"] = waitedChildrenCpuMs() - cpuBefore;
      }
    });
  });
});
