// Runs an ONNX model once with ONNX Runtime (npm package onnxruntime-node,
// CPU execution provider, default session options) for the quantization
// tests (tests/e2e/quantize_models_test.cc, docs/quantize.md).
// usage: node ort_run.js ORT_PACKAGE_DIR MODEL.onnx INPUT.f32 DIMS OUT.f32
//   INPUT.f32: raw little-endian float32 of the first input, DIMS like 1x3x96x96;
//   OUT.f32: the first output, raw float32. Prints "ok DIMS" on success.
//   EMBER_ORT_INPUT_TYPE=int64: the input file holds raw little-endian int64
//   instead; EMBER_ORT_OPT: the session's graphOptimizationLevel.
'use strict';
const fs = require('fs');
const [pkg, model, input, dimsText, output] = process.argv.slice(2);
const ort = require(pkg);
(async () => {
  const opts = process.env.EMBER_ORT_OPT ? { graphOptimizationLevel: process.env.EMBER_ORT_OPT } : {};
  const session = await ort.InferenceSession.create(model, opts);
  const buf = fs.readFileSync(input);
  const bytes = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length);
  const int64 = process.env.EMBER_ORT_INPUT_TYPE === 'int64';
  const data = int64 ? new BigInt64Array(bytes) : new Float32Array(bytes);
  const dims = dimsText.split('x').map(Number);
  const result = await session.run({ [session.inputNames[0]]: new ort.Tensor(int64 ? 'int64' : 'float32', data, dims) });
  const out = result[session.outputNames[0]];
  fs.writeFileSync(output, Buffer.from(out.data.buffer, out.data.byteOffset, out.data.byteLength));
  console.log('ok ' + out.dims.join('x'));
})().catch((e) => {
  console.error('onnxruntime: ' + String(e));
  process.exit(1);
});
