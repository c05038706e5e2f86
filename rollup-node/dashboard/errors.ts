import { NodeError } from "../errors";

/** The dashboard cannot be served (its page files are missing from the package). */
export class DashboardError extends NodeError {
  constructor(code: string, message: string, hint: string) {
    super(code, message, hint);
  }
}
