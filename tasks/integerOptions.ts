// The integer options' command-line type, shared by the task definitions: light (loaded with the
// config for every task); the parser itself (taskInput) loads when a task runs.
import type { CLIArgumentType, HardhatRuntimeEnvironment } from "hardhat/types";

import { RollupTaskError } from "./taskErrors";

/**
 * The type of the integer options: Hardhat's `types.int` refuses `--last -3` with HH301 and a
 * stack trace before the task runs, so the command line's text passes as it is (and a script's
 * `hre.run` may give a number) to `withIntegers`, which parses it with taskInput's one parser.
 */
export const integerText: CLIArgumentType<string | number> = {
  name: "integer",
  parse: (_name, text) => text,
  validate: (name, value) => {
    if (typeof value !== "string" && typeof value !== "number")
      throw new RollupTaskError("INVALID_INPUT", `${name} ${String(value)} is not an integer`, "pass a whole number");
  },
};

/**
 * The task's integer options (`integerText`) parsed into the numbers the actions take: a bad
 * value is one line and a hint. `examples` names each such option of the task with the value its
 * hint shows.
 */
export const withIntegers =
  <A extends object>(
    examples: Readonly<Record<string, number>>,
    run: (args: A, hre: HardhatRuntimeEnvironment) => Promise<void>,
  ): ((args: A, hre: HardhatRuntimeEnvironment) => Promise<void>) =>
  async (args, hre) =>
    run((await import("./taskInput")).integerArgs(args, examples), hre);
