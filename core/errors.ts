/**
 * Typed errors at the boundaries. HTTP handlers turn `ApiError` into RFC 9457 problem+json; the worker
 * uses `retryable` to decide between returning the message to the queue and failing the job.
 */
export interface ProblemFields {
  status: number;
  code: string;
  title: string;
  detail: string;
  param?: string;
  extra?: Record<string, unknown>;
}

export class ApiError extends Error {
  override readonly name = "ApiError";
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly param: string | undefined;
  readonly extra: Record<string, unknown> | undefined;
  constructor(fields: ProblemFields, options?: { cause?: unknown }) {
    super(fields.detail, options);
    this.status = fields.status;
    this.code = fields.code;
    this.title = fields.title;
    this.param = fields.param;
    this.extra = fields.extra;
  }
}

export const notFound = (what: string, id: string, param?: string) =>
  new ApiError({ status: 404, code: "not_found", title: "Not Found", detail: `No ${what} with id '${id}'.`, param });

export const conflict = (code: string, detail: string, param?: string) =>
  new ApiError({ status: 409, code, title: "Conflict", detail, param });

export const unprocessable = (code: string, detail: string, param?: string, extra?: Record<string, unknown>) =>
  new ApiError({ status: 422, code, title: "Unprocessable Content", detail, param, extra });

export const badRequest = (code: string, detail: string, param?: string) =>
  new ApiError({ status: 400, code, title: "Bad Request", detail, param });

/** A failure in the worker: `retryable` errors return the message to the queue, others fail the job. */
export class JobError extends Error {
  override readonly name = "JobError";
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown; param?: string },
  ) {
    super(message, options);
    this.param = options?.param;
  }
  readonly param: string | undefined;
}

export const retryable = (code: string, message: string, cause?: unknown) =>
  new JobError(code, message, true, { cause });
export const permanent = (code: string, message: string, cause?: unknown, param?: string) =>
  new JobError(code, message, false, { cause, param });
