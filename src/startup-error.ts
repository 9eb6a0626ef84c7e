/** The server cannot start for a reason the operator can fix; printed as one line naming the setting, exit code 2. */
export class StartupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StartupError';
  }
}
