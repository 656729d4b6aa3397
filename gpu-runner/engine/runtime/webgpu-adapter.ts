/**
 * The WebGPU adapter Dawn finds on this machine: its identity and the limits that bound every buffer a graph
 * may use. onnxruntime does not expose the adapter, so it is asked through Dawn's own Node binding (the
 * optional `webgpu` package; the same Vulkan driver answers both). Also the one place that explains how to
 * get an adapter when there is none.
 */
export interface WebGpuLimits {
  /** Largest single buffer (bytes). */
  readonly maxBufferSize: number;
  /** Largest range of a buffer one shader binding may see (bytes): the cap on any one tensor a kernel reads. */
  readonly maxStorageBufferBindingSize: number;
  readonly maxComputeWorkgroupStorageSize: number;
  readonly maxComputeInvocationsPerWorkgroup: number;
  readonly maxStorageBuffersPerShaderStage: number;
}

export interface WebGpuAdapterInfo {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  /** Driver description, e.g. "Mesa 25.0.7 (LLVM 19.1.7)" for lavapipe. */
  readonly driver: string;
  readonly limits: WebGpuLimits;
}

/** Where the Vulkan driver is chosen: named in every message about a missing adapter. */
export const WEBGPU_SETUP_HINT =
  "onnxruntime's WebGPU EP (Dawn) needs a Vulkan driver: on NVIDIA install the driver's Vulkan ICD and libvulkan1 " +
  "and set VK_DRIVER_FILES to its nvidia_icd.json; without a GPU install Mesa's lavapipe " +
  "(Debian bookworm-backports `mesa-vulkan-drivers` 23 or newer, see .ci/install-lavapipe.sh) and set " +
  "VK_DRIVER_FILES=/usr/share/vulkan/icd.d/lvp_icd.json; set XDG_RUNTIME_DIR to a writable directory. " +
  "Or run on the CPU EP (GUARDTUNE_EP=cpu / --ep cpu).";

interface DawnAdapter {
  readonly info: Record<string, unknown>;
  readonly limits: Record<string, number>;
}
interface DawnGpu {
  requestAdapter(): Promise<DawnAdapter | null>;
}
interface DawnModule {
  create(options: string[]): DawnGpu;
  globals: object;
}

let adapterOnce: ReturnType<typeof describeWebGpuAdapter> | undefined;

/**
 * The most bytes one tensor may take on `ep`: the adapter's binding limit (and buffer size) on WebGPU; undefined on
 * the CPU EP, or when no adapter answers (the EP check at start-up reports that).
 */
export async function tensorByteLimit(ep: "cpu" | "webgpu" | undefined): Promise<number | undefined> {
  if (ep !== "webgpu") return undefined;
  const info = await (adapterOnce ??= describeWebGpuAdapter()); // one Dawn instance per process
  return "limits" in info ? Math.min(info.limits.maxStorageBufferBindingSize, info.limits.maxBufferSize) : undefined;
}

/** The adapter Dawn picks by default, or the reason there is none. */
export async function describeWebGpuAdapter(): Promise<WebGpuAdapterInfo | { readonly error: string }> {
  let dawn: DawnModule;
  try {
    dawn = (await import("webgpu")) as unknown as DawnModule;
  } catch (e) {
    return { error: `the optional 'webgpu' package (Dawn for Node) is not installed: ${(e as Error).message}` };
  }
  Object.assign(globalThis, dawn.globals);
  const adapter = await dawn.create([]).requestAdapter();
  if (!adapter) return { error: `Dawn found no WebGPU adapter. ${WEBGPU_SETUP_HINT}` };
  const text = (k: string) => String(adapter.info[k] ?? "");
  const limit = (k: keyof WebGpuLimits) => Number(adapter.limits[k]);
  return {
    vendor: text("vendor"),
    architecture: text("architecture"),
    device: text("device"),
    driver: text("description"),
    limits: {
      maxBufferSize: limit("maxBufferSize"),
      maxStorageBufferBindingSize: limit("maxStorageBufferBindingSize"),
      maxComputeWorkgroupStorageSize: limit("maxComputeWorkgroupStorageSize"),
      maxComputeInvocationsPerWorkgroup: limit("maxComputeInvocationsPerWorkgroup"),
      maxStorageBuffersPerShaderStage: limit("maxStorageBuffersPerShaderStage"),
    },
  };
}
