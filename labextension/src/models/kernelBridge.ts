/**
 * Talking to the live kernel for one-click registration: silent executions whose answers come
 * back as user_expressions. Everything the user typed travels as ONE JSON string literal that
 * the kernel parses with json.loads; no user text is ever part of the code.
 */
import { Kernel } from '@jupyterlab/services';
import { MetricValue } from '../request';

const HELPER = '__mlops_lab_models_kernel';
const IMPORT = `import mlops_lab.models.kernel as ${HELPER}`;

export interface IModelCandidate {
  name: string;
  class: string;
  module: string;
  params: Record<string, unknown>;
  n_features: number | null;
  /** The tracked run that saved this very model (with its metrics): registering keeps its
   * lineage. */
  run: { id: string; name: string; metrics: Record<string, MetricValue> } | null;
  /** Why no tracked run's file can be used (null when `run` is set). */
  note: string | null;
}

export interface IExampleCandidate {
  name: string;
  kind: 'DataFrame' | 'ndarray';
  shape: number[];
  columns: string[];
}

export interface ICandidates {
  models: IModelCandidate[];
  examples: IExampleCandidate[];
}

export interface IRegisterRequest {
  variable: string;
  name: string;
  alias: string;
  description: string;
  example: string;
}

/** How the new version's input columns differ from the newest version's. */
export interface ISignatureChange {
  version: number;
  added: string[];
  removed: string[];
  retyped: { name: string; from: string; to: string }[];
  message: string;
}

export interface ICheckResult {
  ok: boolean;
  error?: string;
  signature_change?: ISignatureChange | null;
}

export interface IRegisterResult {
  ok: boolean;
  error?: string;
  name?: string;
  version?: number;
  ref?: string;
  aliases?: string[];
  run_id?: string | null;
  /** Why the version was registered without a run. */
  note?: string | null;
}

/** A Python string literal holding `text`: JSON's escapes are Python's too, and anything
 * outside ASCII is written by code point, \\uXXXX or (beyond the BMP, such as an emoji)
 * \\UXXXXXXXX, so the literal is plain ASCII and Python reads the very same characters (two
 * \\u escapes of a UTF-16 pair would be two lone halves in Python). */
export function pythonStringLiteral(text: string): string {
  return JSON.stringify(text).replace(/[^\u0000-\u007e]/gu, ch => {
    const code = ch.codePointAt(0) ?? 0;
    return code > 0xffff
      ? '\\U' + code.toString(16).padStart(8, '0')
      : '\\u' + code.toString(16).padStart(4, '0');
  });
}

/** Evaluates one helper call in the kernel, silently; its JSON answer. */
async function evaluate<T>(kernel: Kernel.IKernelConnection, expression: string): Promise<T> {
  const future = kernel.requestExecute({
    code: IMPORT,
    silent: true,
    store_history: false,
    user_expressions: { value: expression },
    allow_stdin: false,
    stop_on_error: false
  });
  const reply = await future.done;
  const content = reply.content as any;
  if (content.status !== 'ok') {
    throw new Error(
      `The kernel cannot use mlops-lab (${content.ename ?? 'error'}: ${content.evalue ?? ''}). ` +
        'Install mlops-lab in the kernel’s environment.'
    );
  }
  const value = content.user_expressions?.value;
  if (!value || value.status !== 'ok') {
    throw new Error(`The kernel answered with an error: ${value?.ename ?? ''} ${value?.evalue ?? ''}`);
  }
  const data = value.data ?? {};
  if (data['application/json'] !== undefined) {
    return data['application/json'] as T;
  }
  return JSON.parse(data['text/plain']) as T;
}

export function fetchCandidates(kernel: Kernel.IKernelConnection): Promise<ICandidates> {
  return evaluate<ICandidates>(kernel, `${HELPER}.candidates()`);
}

/** The helper's `check` (asked before registering: what the registration would change that
 * the user should see) or `register`, given the request as one string literal. */
function withRequest<T>(
  kernel: Kernel.IKernelConnection,
  helper: 'check' | 'register',
  request: IRegisterRequest
): Promise<T> {
  const literal = pythonStringLiteral(JSON.stringify(request));
  return evaluate<T>(kernel, `${HELPER}.${helper}(${literal})`);
}

export function checkInKernel(
  kernel: Kernel.IKernelConnection,
  request: IRegisterRequest
): Promise<ICheckResult> {
  return withRequest<ICheckResult>(kernel, 'check', request);
}

export function registerInKernel(
  kernel: Kernel.IKernelConnection,
  request: IRegisterRequest
): Promise<IRegisterResult> {
  return withRequest<IRegisterResult>(kernel, 'register', request);
}
