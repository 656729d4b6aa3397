import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { basename, dirname } from "node:path";
import type { Graph } from "../graph/graph.ts";
import { encodeModel, rawBytes, type EncodeOptions } from "./encode-model.ts";

// Page-aligned offsets let ORT memory-map external weights.
const ALIGN = 4096;

/**
 * Writes `g` to `modelPath`; initializers marked `external` go to `<modelPath>.data` (ONNX external data),
 * which keeps models above protobuf's 2 GB limit loadable. Load with `EngineSession.create(modelPath)`.
 */
export function saveModel(g: Graph, modelPath: string, options: Omit<EncodeOptions, "externalData"> = {}): void {
  mkdirSync(dirname(modelPath), { recursive: true });
  const external = g.initializers.filter((i) => i.external);
  const externalData = new Map<string, { location: string; offset: number; length: number }>();
  if (external.length > 0) {
    const location = `${basename(modelPath)}.data`;
    const fd = openSync(`${modelPath}.data`, "w");
    try {
      let offset = 0;
      for (const init of external) {
        const bytes = rawBytes(init.data);
        const padded = Math.ceil(offset / ALIGN) * ALIGN;
        if (padded > offset) writeSync(fd, new Uint8Array(padded - offset));
        writeSync(fd, bytes);
        externalData.set(init.tensor.name, { location, offset: padded, length: bytes.length });
        offset = padded + bytes.length;
      }
    } finally {
      closeSync(fd);
    }
  }
  const bytes = encodeModel(g, { ...options, externalData });
  const fd = openSync(modelPath, "w");
  try {
    writeSync(fd, bytes);
  } finally {
    closeSync(fd);
  }
}
