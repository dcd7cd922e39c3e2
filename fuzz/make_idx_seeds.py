#!/usr/bin/env python3
"""Writes the seed corpus of fuzz/data_idx.cpp: small valid MNIST directories (images and labels
IDX files, raw and gzip) in the harness's input layout: a flags byte (bit 0: images .gz, bit 1:
labels .gz), the images file's length as 4 little-endian bytes, the images file, the labels file.
Run from the repository root: python3 fuzz/make_idx_seeds.py"""
import gzip
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "idx")


def images(count):
    head = struct.pack(">IIII", 0x803, count, 28, 28)
    return head + bytes((i * 37 + p * 11) % 256 for i in range(count) for p in range(28 * 28))


def labels(count):
    return struct.pack(">II", 0x801, count) + bytes((i * 3 + 1) % 10 for i in range(count))


def gz(data):
    return gzip.compress(data, compresslevel=9, mtime=0)


def seed(name, image_file, label_file, image_gz, label_gz):
    flags = (1 if image_gz else 0) | (2 if label_gz else 0)
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(bytes([flags]) + struct.pack("<I", len(image_file)) + image_file + label_file)


seed("raw_2", images(2), labels(2), False, False)
seed("gzip_2", gz(images(2)), gz(labels(2)), True, True)
seed("gzip_images_raw_labels_1", gz(images(1)), labels(1), True, False)
seed("raw_empty", images(0), labels(0), False, False)
# gzip allows several members back to back; the reader must join them.
seed("gzip_two_members_3", gz(images(3)[:1000]) + gz(images(3)[1000:]), gz(labels(3)), True, True)
