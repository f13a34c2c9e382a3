"""Writes a tiny OCI image layout (one gzip layer, a config, a manifest,
index.json tagged v1, oci-layout) into DIR, for skopeo to push. Also writes
DIR/layer.digest and DIR/config.digest so tests can compare a pull.

usage: make_oci_layout.py DIR [TEXT]
"""
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile

d = sys.argv[1]
text = (sys.argv[2] if len(sys.argv) > 2 else "hello from a docker-credential-upbound test") + "\n"
blobs = os.path.join(d, "blobs", "sha256")
os.makedirs(blobs)


def put(data):
    h = hashlib.sha256(data).hexdigest()
    with open(os.path.join(blobs, h), "wb") as f:
        f.write(data)
    return "sha256:" + h, len(data)


buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as t:
    content = text.encode()
    info = tarfile.TarInfo("hello.txt")
    info.size, info.mtime, info.mode = len(content), 0, 0o644
    t.addfile(info, io.BytesIO(content))
tar = buf.getvalue()
ldig, lsize = put(gzip.compress(tar, mtime=0))
cdig, csize = put(json.dumps({
    "architecture": "amd64", "os": "linux", "config": {},
    "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(tar).hexdigest()]}}).encode())
mdig, msize = put(json.dumps({
    "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cdig, "size": csize},
    "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                "digest": ldig, "size": lsize}]}).encode())
with open(os.path.join(d, "index.json"), "w") as f:
    json.dump({"schemaVersion": 2, "manifests": [{
        "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": mdig, "size": msize,
        "annotations": {"org.opencontainers.image.ref.name": "v1"}}]}, f)
with open(os.path.join(d, "oci-layout"), "w") as f:
    json.dump({"imageLayoutVersion": "1.0.0"}, f)
with open(os.path.join(d, "layer.digest"), "w") as f:
    f.write(ldig)
with open(os.path.join(d, "config.digest"), "w") as f:
    f.write(cdig)
