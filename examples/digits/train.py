#!/usr/bin/python3
"""Trains the digits demo model of `make demo` and writes its files.

A small CNN (81 thousand MACs, 3.8 thousand weights) for the 8x8 handwritten
digits that scikit-learn ships (sklearn.datasets.load_digits: 1797 images, 10
classes, pixels 0..16), trained with PyTorch on the CPU with fixed seeds, so
that every run writes the same files. Debian 12: apt-get install python3-torch python3-sklearn.

    /usr/bin/python3 examples/digits/train.py [OUT_DIR]   (default: beside this file)

Writes, in OUT_DIR:
  digits.onnx  the float model: opset 13, static shapes, input "input"
               float32 [1,1,8,8] (pixels / 16), output "logits" float32 [1,10]
  test.npz     the held-out test split (never seen in training): "x" float32
               [N,1,8,8], "y" int32 [N] (the digit)
  calib.npz    the calibration split for `ember quantize` (images taken from
               the training split): "input" float32 [M,1,8,8]
The .npz files are uncompressed (numpy.savez), as ember's reader expects.
"""
import os
import sys

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

SEED = 20240611
TEST_FRACTION = 0.2
CALIBRATION_SAMPLES = 64
EPOCHS = 40
BATCH = 32


class DigitsNet(torch.nn.Module):
    """conv 3x3 (8) - relu - conv 3x3 (16) - relu - maxpool 2 - conv 4x4 (10).

    The classifier is a 4x4 convolution over the whole 4x4 map (the same
    weights and MACs as a dense layer) so that the flatten that follows has
    1x1 pixels: no NCHW-to-NHWC transpose of the features, and the int8 model
    runs in int8 from its first layer to its last."""

    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 8, 3, padding=1)
        self.conv2 = torch.nn.Conv2d(8, 16, 3, padding=1)
        self.pool = torch.nn.MaxPool2d(2)
        self.classifier = torch.nn.Conv2d(16, 10, 4)

    def forward(self, x):
        x = torch.relu(self.conv1(x))
        x = torch.relu(self.conv2(x))
        x = self.pool(x)
        return torch.flatten(self.classifier(x), 1)


def accuracy(model, x, y):
    with torch.no_grad():
        return float((model(torch.from_numpy(x)).argmax(1).numpy() == y).mean())


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)

    digits = load_digits()
    x = (digits.images.astype(np.float32) / 16.0).reshape(-1, 1, 8, 8)
    y = digits.target.astype(np.int32)
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=TEST_FRACTION, random_state=SEED, stratify=y)
    rng = np.random.RandomState(SEED)
    calib = x_train[rng.choice(len(x_train), CALIBRATION_SAMPLES, replace=False)]

    model = DigitsNet()
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    xt, yt = torch.from_numpy(x_train), torch.from_numpy(y_train.astype(np.int64))
    gen = torch.Generator().manual_seed(SEED)
    for epoch in range(EPOCHS):
        model.train()
        order = torch.randperm(len(xt), generator=gen)
        for i in range(0, len(xt), BATCH):
            idx = order[i:i + BATCH]
            opt.zero_grad()
            loss = loss_fn(model(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
    model.eval()
    print("train accuracy %.4f, held-out accuracy %.4f (%d test images)" %
          (accuracy(model, x_train, y_train), accuracy(model, x_test, y_test), len(x_test)))

    torch.onnx.export(model, torch.zeros(1, 1, 8, 8), os.path.join(out, "digits.onnx"),
                      opset_version=13, input_names=["input"], output_names=["logits"],
                      do_constant_folding=True)
    np.savez(os.path.join(out, "test.npz"), x=np.ascontiguousarray(x_test), y=y_test)
    np.savez(os.path.join(out, "calib.npz"), input=np.ascontiguousarray(calib))
    print("wrote digits.onnx, test.npz, calib.npz in " + out)


if __name__ == "__main__":
    main()
