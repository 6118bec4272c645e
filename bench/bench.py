#!/usr/bin/env python3
"""xdpld bench driver (`make bench`; bench/README.md says how to read it).

Measures in one run, on this host:
  1. per-packet cost (BPF_PROG_TEST_RUN via bench/tools/benchrun) of N slots
     of the bench module, N = 1..32, per variant, and the floor;
  2. re-link latency of one slot in a pipeline of N = 1..10, per backend,
     vs xdp-loader's unload + load;
  3. cold apply (attach) of a 3-module pipeline vs xdp-loader;
  4. footprint: static binary size vs xdp-loader + its shared libraries,
     peak RSS of attach vs xdp-loader load;
  5. CO-RE resolution (issue 19): `xdpld verify` of four vmlinux.h-style
     modules against the full kernel BTF vs libbpf opening and loading the
     same objects (bench/tools/coreload), wall time and peak RSS; xdpld with
     the minimized BTF of `xdpld btfgen` vs xdpld on modules without CO-RE;
and in the test VM (bench/vm/run.sh, qemu TCG, where EXT programs work):
re-link with freplace / tailcall / chain vs xdp-loader with libxdp's
dispatcher holding N programs, and cold apply of 3 modules with both.
Writes $O/bench/results.csv (metric,variant,n,value,unit), table.txt and
bench.png, and prints the table.  A variant that does not exist yet (or
needs the VM) is a row "n/a: REASON", never an error.

Environment: O (build dir), XDPLD (binary that loads the per-packet
pipelines), XDPLD_STATIC (binary timed for commands and sized), BENCHRUN,
CORELOAD, BENCH_DIR (objects: mod.o, mod_v2.o, floor.o, core0.o..core3.o),
FW (sample vendor objects), KERNEL_BTF (default /sys/kernel/btf/vmlinux),
BENCH_OUT (where results go, default $O/bench), BENCH_TAG (name of its
network namespace and bpffs state folder, default xdpld-bench-PID),
BENCH_QUICK=1 (N = 1, 2, few rounds, no VM: the smoke test
tests/t_bench.sh), BENCH_NOVM=1, BENCH_NOPLOT=1, BENCH_VM_TIMEOUT.
`bench.py --replot` draws bench.png again from results.csv.
Networking: one network namespace with veth pairs (one per per-packet
variant, one for the commands), made and removed here.
"""
import csv
import os
import shutil
import statistics
import subprocess
import sys
import time

O = os.environ.get("O", "build")
QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
XDPLD = os.path.abspath(os.environ.get("XDPLD", f"{O}/xdpld"))
XDPLD_STATIC = os.path.abspath(os.environ.get("XDPLD_STATIC", f"{O}/static/xdpld"))
BENCHRUN = os.path.abspath(os.environ.get("BENCHRUN", f"{O}/bench/benchrun"))
CORELOAD = os.path.abspath(os.environ.get("CORELOAD", f"{O}/bench/coreload"))
KERNEL_BTF = os.environ.get("KERNEL_BTF", "/sys/kernel/btf/vmlinux")
BDIR = os.path.abspath(os.environ.get("BENCH_DIR", f"{O}/bench"))
FW = os.path.abspath(os.environ.get("FW", f"{O}/firmware"))
OUT = os.path.abspath(os.environ.get("BENCH_OUT", f"{O}/bench"))
DISPATCHER = "/usr/lib/x86_64-linux-gnu/bpf/xdp-dispatcher.o"
XDP_LOADER = shutil.which("xdp-loader") or "/usr/sbin/xdp-loader"

if QUICK:
    NS, RELINK_NS = [1, 2], [1, 2]
    REPEAT, ROUNDS, RELINKS, COLD, CORE_REPS = 100000, 3, 3, 2, 2
else:
    NS, RELINK_NS = [1, 2, 4, 8, 16, 32], list(range(1, 11))
    REPEAT, ROUNDS, RELINKS, COLD, CORE_REPS = 1000000, 11, 21, 11, 11
DISP_NS = sorted(set([n for n in NS if n <= 10] + ([10] if not QUICK else [])))

TAG = os.environ.get("BENCH_TAG", f"xdpld-bench-{os.getpid()}")
NETNS = TAG
IFACE = "xbench0"
PEER = "xbench1"
NVETH = 10          # per-packet variants / re-link pipelines, each on its own veth
STATE = f"/sys/fs/bpf/{TAG}"
MODS = os.path.join(OUT, "mods")

rows = []        # (metric, variant, n, value, unit)
notes = {}       # (metric, variant) -> reason it is n/a
started = time.monotonic()


def log(msg):
    print(f"bench: [{time.monotonic() - started:5.0f}s] {msg}", file=sys.stderr, flush=True)


def sh(cmd, check=True, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if check and r.returncode:
        raise RuntimeError(f"{' '.join(cmd)}: exit {r.returncode}: {r.stderr.strip() or r.stdout.strip()}")
    return r


def innet(cmd):
    return ["nsenter", f"--net=/run/netns/{NETNS}"] + cmd


def add(metric, variant, n, value, unit):
    rows.append((metric, variant, n, value, unit))


def na(metric, variant, reason):
    notes[(metric, variant)] = reason


def first_line(s):
    s = (s or "").strip().splitlines()
    return s[0].strip() if s else "failed"


# ---------------------------------------------------------------- setup

def setup():
    os.makedirs(OUT, exist_ok=True)
    sh(["ip", "netns", "add", NETNS])
    # IFACE for re-link and cold apply; xb0.. for the per-packet variants
    for a, b in [(IFACE, PEER)] + [(f"xb{i}", f"xb{i}p") for i in range(NVETH)]:
        sh(innet(["ip", "link", "add", a, "type", "veth", "peer", "name", b]))
        for i in (a, b):
            sh(innet(["ip", "link", "set", i, "up"]))
    # one file name per slot (xdpld wants distinct module names); a/ the
    # first build, b/ the "new build" (BENCH_VARIANT=2) for re-links
    for d, src in (("a", "mod.o"), ("b", "mod_v2.o")):
        os.makedirs(os.path.join(MODS, d), exist_ok=True)
        for i in range(max(NS + RELINK_NS + [4])):     # 4: part 5's modules without CO-RE
            shutil.copyfile(os.path.join(BDIR, src), os.path.join(MODS, d, f"mod{i:02d}.o"))


def cleanup():
    for i in [IFACE] + [f"xb{i}" for i in range(NVETH)]:
        detach(i)
    sh(innet([XDP_LOADER, "unload", IFACE, "--all"]), check=False)
    sh(["ip", "netns", "del", NETNS], check=False)
    if os.path.isdir(STATE):
        shutil.rmtree(STATE, ignore_errors=True)


def detach(ifc=IFACE):
    sh(innet([XDPLD, "detach", ifc, "--force", "--state-dir", STATE]), check=False)


def mods(n, d="a"):
    return [os.path.join(MODS, d, f"mod{i:02d}.o") for i in range(n)]


# ---------------------------------------------------------------- variants

def attach_help():
    r = sh([XDPLD, "attach", "--help"], check=False)
    return r.stdout + r.stderr


def has_chain(h):
    return any("--backend" in line and "chain" in line for line in h.splitlines())


def variants():
    """name -> (attach options, or None with the reason it is n/a)."""
    h = attach_help()
    flat = "--no-flatten" in h or "--flatten" in h
    chain = has_chain(h)
    v = {}
    if flat:
        v["static-flat"] = (["--backend", "static", "--no-counters"]
                            + (["--flatten"] if "--flatten" in h else []), None)
        v["static-calls"] = (["--backend", "static", "--no-counters"]
                             + (["--no-flatten"] if "--no-flatten" in h else []), None)
    else:
        v["static-flat"] = (None, "not available yet (xdpld has no --flatten)")
        v["static-calls"] = (["--backend", "static", "--no-counters"], None)
    v["static+counters"] = (["--backend", "static"], None)
    v["tailcall"] = (["--backend", "tailcall", "--no-counters"], None)
    v["chain"] = ((["--backend", "chain", "--no-counters"], None) if chain
                  else (None, "not available yet (xdpld has no --backend chain)"))
    v["freplace"] = (None, "the host kernel refuses BPF_PROG_TYPE_EXT, and per-packet times in the VM "
                           "(TCG) would measure the emulator")
    return v


# ---------------------------------------------------------------- 1. per packet

def measure(runners, bases, rounds=None):
    """Interleaved rounds: each round runs every program once (benchrun
    with one round, in a rotating order), so a burst of load on this shared
    machine hits all variants alike.  bases maps a runner to the one it is
    compared with in the same round.  Returns {name: (median ns, median of
    the per-round differences to its base, or None)}."""
    samples = {k: [] for k in runners}
    keys = list(runners)
    for r in range(rounds or ROUNDS):
        order = keys[r % len(keys):] + keys[:r % len(keys)]
        for k in order:
            if k in samples:
                try:
                    samples[k].append(benchrun1(runners[k]))
                except RuntimeError as e:
                    na("pkt_ns", k.split("/")[0], first_line(str(e)))
                    del samples[k]
    out = {}
    for k, v in samples.items():
        b = bases.get(k)
        d = [x - y for x, y in zip(v, samples[b])] if b in samples else []
        out[k] = (statistics.median(v), statistics.median(d) if d else None)
    return out


def benchrun1(args):
    r = sh([BENCHRUN] + args + [str(REPEAT), "1"])
    lines = [l.split() for l in r.stdout.strip().splitlines()]
    if not lines or lines[-1][0] != "median":
        raise RuntimeError(f"benchrun: {r.stdout}")
    # every variant must pass the bench packet (XDP_PASS = 2): a program
    # that returns early would look cheap
    bad = [l[2] for l in lines[:-1] if l[2] != "2"]
    if bad:
        raise RuntimeError(f"benchrun {' '.join(args)}: verdict {bad[0]}, expected 2 (XDP_PASS)")
    return float(lines[-1][1])


def per_packet():
    vs = variants()
    floor_obj = os.path.join(BDIR, "floor.o")
    for name, (opts, why) in vs.items():
        if why:
            na("pkt_ns", name, why)
    na("pkt_ns", "libxdp-modules", "needs freplace: VM only, where per-packet times (TCG) would measure "
       "the emulator")
    have_disp = os.path.exists(DISPATCHER)
    if not have_disp:
        na("pkt_ns", "libxdp-empty", f"{DISPATCHER} missing (package libxdp1)")
    live = [name for name, (opts, why) in vs.items() if not why]
    # Per N: the floor, each xdpld variant on its own veth and (N <= 10)
    # libxdp's dispatcher with its empty program, all in the same rounds.
    # N = 10, libxdp's limit, is measured with the empty program alone.
    for n in sorted(set(NS) | set(DISP_NS if have_disp else [])):
        log(f"per-packet N={n}")
        runners, bases = {}, {}
        if n in NS:
            runners["floor"] = ["obj", floor_obj, f"floor_{n}"]
            for i, name in enumerate(live):
                if ("pkt_ns", name) in notes:
                    continue
                ifc = f"xb{i}"
                detach(ifc)
                r = sh(innet([XDPLD, "attach", ifc] + mods(n) + vs[name][0] + ["--state-dir", STATE]),
                       check=False)
                if r.returncode:
                    na("pkt_ns", name, f"attach N={n} failed: {first_line(r.stderr or r.stdout)}")
                    continue
                runners[name] = ["pin", f"{STATE}/{ifc}/rootlet"]
                bases[name] = "floor"
        if have_disp and n in DISP_NS and ("pkt_ns", "libxdp-empty") not in notes:
            runners["empty-prog"] = ["obj", floor_obj, "floor_0"]
            runners["libxdp-empty"] = ["dispatcher", DISPATCHER, str(n)]
            bases["libxdp-empty"] = "empty-prog"
        # small N: one slot's overhead is the difference of two ~20 ns
        # numbers, and the runs are short: twice the rounds
        for k, (t, d) in measure(runners, bases, ROUNDS * 2 - 1 if n <= 4 else ROUNDS).items():
            add("pkt_ns", k, n, t, "ns")
            if d is not None:
                add("slot_ns", k, n, d / n, "ns")
    for i in range(len(live)):
        detach(f"xb{i}")


# ---------------------------------------------------------------- 2. re-link

def timed(cmd):
    t0 = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True)
    t = (time.perf_counter() - t0) * 1000
    return t, r


def relink():
    """Per backend: pipelines of N = 1..10 attached at once, one per veth;
    each round re-links the middle slot of every pipeline once (rotating
    order) and does one xdp-loader unload + load, so load bursts on this
    shared machine hit every N (and xdp-loader) alike."""
    h = attach_help()
    backends = ["static", "tailcall"] + (["chain"] if has_chain(h) else [])
    if not has_chain(h):
        na("relink_ms", "chain", "not available yet (xdpld has no --backend chain)")
    na("relink_ms", "freplace", "the host kernel refuses BPF_PROG_TYPE_EXT: see freplace-vm")
    # xdp-loader: unload + load of one program.  On this host libxdp has no
    # dispatcher (EXT refused): it loads one program alone, so only N = 1.
    xl = []
    xa, xb = mods(1, "a")[0], mods(1, "b")[0]
    r = sh(innet([XDP_LOADER, "load", "-m", "native", IFACE, xa]), check=False)
    if r.returncode:
        na("relink_ms", "xdp-loader", f"load failed: {first_line(r.stderr)}")
        xl = None

    def xdp_loader_once():
        nonlocal xl
        if xl is None:
            return
        obj = xb if len(xl) % 2 == 0 else xa
        t0 = time.perf_counter()
        r1 = sh(innet([XDP_LOADER, "unload", IFACE, "--all"]), check=False)
        r2 = sh(innet([XDP_LOADER, "load", "-m", "native", IFACE, obj]), check=False)
        if r1.returncode or r2.returncode:
            na("relink_ms", "xdp-loader", f"failed: {first_line(r1.stderr + r2.stderr)}")
            xl = None
            return
        xl.append((time.perf_counter() - t0) * 1000)

    for be in backends:
        live = {}
        for i, n in enumerate(RELINK_NS):
            ifc = f"xb{i}"
            detach(ifc)
            r = sh(innet([XDPLD_STATIC, "attach", ifc] + mods(n) + ["--backend", be, "--state-dir", STATE]),
                   check=False)
            if r.returncode:
                na("relink_ms", be, f"attach N={n} failed: {first_line(r.stderr or r.stdout)} "
                   f"(exit {r.returncode})")
                break
            live[n] = (ifc, [])
        else:
            ns = list(live)
            for k in range(RELINKS):
                for n in ns[k % len(ns):] + ns[:k % len(ns)]:
                    ifc, ts = live[n]
                    slot = n // 2
                    obj = mods(n, "b" if k % 2 == 0 else "a")[slot]
                    t, r = timed(innet([XDPLD_STATIC, "relink", ifc, str(slot), obj, "--state-dir", STATE]))
                    if r.returncode:
                        na("relink_ms", be, f"relink N={n} failed: {first_line(r.stderr or r.stdout)} "
                           f"(exit {r.returncode})")
                        break
                    ts.append(t)
                else:
                    xdp_loader_once()
                    continue
                break
            else:
                for n, (ifc, ts) in live.items():
                    add("relink_ms", be, n, statistics.median(ts), "ms")
        for i in range(len(RELINK_NS)):
            detach(f"xb{i}")
        log(f"re-link {be} done")
    while xl is not None and len(xl) < RELINKS:
        xdp_loader_once()
    if xl:
        add("relink_ms", "xdp-loader", 1, statistics.median(xl), "ms")
    sh(innet([XDP_LOADER, "unload", IFACE, "--all"]), check=False)
    two = mods(2, "a")
    sh(innet([XDP_LOADER, "load", "-m", "native", IFACE, two[0]]), check=False)
    r = sh(innet([XDP_LOADER, "load", "-m", "native", IFACE, two[1]]), check=False)
    sh(innet([XDP_LOADER, "unload", IFACE, "--all"]), check=False)
    why = first_line(r.stderr).replace("libxdp: ", "") if r.returncode else "ran (not expected here)"
    notes[("relink_ms", "xdp-loader N>1")] = f"host: a 2nd program fails ({why}); dispatcher needs EXT: VM only"


# ---------------------------------------------------------------- 3. cold apply

COLD_MODS = ["fw_acme.o", "fw_bolt.o", "lb.o"]


def cold():
    three = [os.path.join(FW, m) for m in COLD_MODS]
    for label, objs in (("3", three), ("1", three[:1])):
        ts, rss = [], []
        for k in range(COLD):
            detach()
            t, r = timed(innet(["/usr/bin/time", "-f", "RSS %M", XDPLD_STATIC, "attach", IFACE] + objs
                               + ["--state-dir", STATE]))
            if r.returncode:
                na("cold_ms", "xdpld-attach", f"attach failed: {first_line(r.stderr)}")
                break
            ts.append(t)
            rss.append(int(r.stderr.strip().splitlines()[-1].split()[1]))
        if ts:
            add("cold_ms", "xdpld-attach", int(label), statistics.median(ts), "ms")
            add("rss_kb", "xdpld-attach", int(label), max(rss), "KB")
        detach()
        ts, rss = [], []
        for k in range(COLD):
            sh(innet([XDP_LOADER, "unload", IFACE, "--all"]), check=False)
            t, r = timed(innet(["/usr/bin/time", "-f", "RSS %M", XDP_LOADER, "load", "-m", "native", IFACE]
                               + objs))
            if r.returncode:
                msg = [l for l in r.stderr.splitlines() if "libxdp" in l or "Couldn't" in l]
                na("cold_ms", f"xdp-loader {label}",
                   f"host: {(msg[0] if msg else first_line(r.stderr)).replace('libxdp: ', '').strip()}")
                break
            ts.append(t)
            rss.append(int(r.stderr.strip().splitlines()[-1].split()[1]))
        if ts:
            add("cold_ms", "xdp-loader", int(label), statistics.median(ts), "ms")
            add("rss_kb", "xdp-loader", int(label), max(rss), "KB")
        sh(innet([XDP_LOADER, "unload", IFACE, "--all"]), check=False)
    log("cold apply done")


# ---------------------------------------------------------------- 5. CO-RE

CORE_MODS = [f"core{i}.o" for i in range(4)]
# variant -> what it runs (bench/README.md, "5. CO-RE resolution")
CORE_VARIANTS = ["xdpld-full", "libbpf-full", "xdpld-min", "libbpf-min", "xdpld-nocore", "xdpld-core"]


def core():
    """Each round runs every (variant, N) once, in a rotating order (load
    bursts hit all alike); median wall time and median peak RSS (GNU time's
    %M) per (variant, N), N = 4 (the pipeline) and 1 (its first module)."""
    objs = [os.path.join(BDIR, m) for m in CORE_MODS]
    missing = [p for p in objs + [CORELOAD] if not os.path.exists(p)]
    if missing or not os.path.exists(KERNEL_BTF):
        why = f"{missing[0]} missing (make bench-build)" if missing else f"no {KERNEL_BTF}"
        for v in CORE_VARIANTS:
            na("core_ms", v, why)
        return
    minbtf = os.path.join(OUT, "core-min.btf")
    r = sh([XDPLD_STATIC, "--kernel-btf", KERNEL_BTF, "btfgen", "-o", minbtf] + objs, check=False)
    if r.returncode:
        for v in ("xdpld-min", "libbpf-min"):
            na("core_ms", v, f"btfgen failed: {first_line(r.stderr)}")
        minbtf = None
    else:
        add("core_btf_bytes", "min", 4, os.path.getsize(minbtf), "B")
    add("core_btf_bytes", "full", 0, os.path.getsize(KERNEL_BTF) if os.path.isfile(KERNEL_BTF) else 0, "B")
    nocore = mods(4, "a")       # the bench module: no CO-RE records
    cmds = {}
    for n in (4, 1):
        o = objs[:n]
        cmds[("xdpld-full", n)] = [XDPLD_STATIC, "--kernel-btf", KERNEL_BTF, "verify"] + o
        cmds[("libbpf-full", n)] = [CORELOAD, "--btf", KERNEL_BTF] + o
        if minbtf:
            cmds[("xdpld-min", n)] = [XDPLD_STATIC, "--kernel-btf", minbtf, "verify"] + o
            cmds[("libbpf-min", n)] = [CORELOAD, "--btf", minbtf] + o
        cmds[("xdpld-nocore", n)] = [XDPLD_STATIC, "verify"] + nocore[:n]
        cmds[("xdpld-core", n)] = [XDPLD_STATIC, "core", "--btf", KERNEL_BTF] + o
    keys = list(cmds)
    ts = {k: [] for k in keys}
    rss = {k: [] for k in keys}
    for rnd in range(CORE_REPS):
        for k in keys[rnd % len(keys):] + keys[:rnd % len(keys)]:
            if k not in ts:
                continue
            t, r = timed(["/usr/bin/time", "-f", "RSS %M"] + cmds[k])
            last = (r.stderr.strip().splitlines() or [""])[-1].split()
            if r.returncode or len(last) != 2 or last[0] != "RSS":
                na("core_ms", k[0], f"N={k[1]} failed: {first_line(r.stderr)} (exit {r.returncode})")
                del ts[k]
                continue
            ts[k].append(t)
            rss[k].append(int(last[1]))
    for k in ts:
        if ts[k]:
            add("core_ms", k[0], k[1], statistics.median(ts[k]), "ms")
            add("core_rss_kb", k[0], k[1], statistics.median(rss[k]), "KB")
    log("CO-RE done")


# ---------------------------------------------------------------- VM part

VM_VARIANTS = [("relink_ms", "freplace-vm"), ("relink_ms", "tailcall-vm"), ("relink_ms", "chain-vm"),
               ("relink_ms", "xdp-loader-vm"), ("cold_ms", "xdpld-attach-vm"), ("cold_ms", "xdp-loader-vm")]


def vm():
    """bench/vm/run.sh: the test image under qemu (TCG), where EXT programs
    and so freplace and libxdp's dispatcher with modules work."""
    why = None
    if QUICK or os.environ.get("BENCH_NOVM"):
        why = "VM part not run (quick mode or BENCH_NOVM)"
    elif not os.path.exists(os.path.join(O, "image", "initramfs.cpio.gz")):
        why = f"no test image in {O}/image (make image failed? see {OUT}/image-build.log)"
    if why:
        for m, v in VM_VARIANTS:
            na(m, v, why)
        return
    log("VM part (qemu, TCG)")
    try:
        r = subprocess.run(["sh", "bench/vm/run.sh", OUT], capture_output=True, text=True,
                           timeout=int(os.environ.get("BENCH_VM_TIMEOUT", "400")) + 60)
        out, err, rc = r.stdout, r.stderr, r.returncode
    except subprocess.TimeoutExpired:
        out, err, rc = "", "timed out", 1
    for line in out.splitlines():
        kind, _, rest = line.partition(" ")
        f = rest.split(",")
        if kind == "BENCH" and len(f) == 5:
            try:
                add(f[0], f[1], int(f[2]), float(f[3]), f[4])
            except ValueError:
                pass
        elif kind == "BENCHNOTE" and len(f) >= 3:
            na(f[0], f[1], "VM: " + ",".join(f[2:]).strip())
    for m, v in VM_VARIANTS:
        if (m, v) not in notes and not any(x[0] == m and x[1] == v for x in rows):
            na(m, v, f"VM part failed: {first_line(err)} (exit {rc})")
    log("VM part done")


# ---------------------------------------------------------------- 4. footprint

def ldd_libs(path):
    r = sh(["ldd", path], check=False)
    libs = []
    for line in r.stdout.splitlines():
        parts = line.split("=>")
        if len(parts) != 2:
            continue
        name, where = parts[0].strip(), parts[1].split("(")[0].strip()
        if not where or name.startswith(("libc.so", "ld-linux")):
            continue
        libs.append(os.path.realpath(where))
    return libs


def footprint():
    if os.path.exists(XDPLD_STATIC):
        add("size_bytes", "xdpld-static", 0, os.path.getsize(XDPLD_STATIC), "B")
    else:
        na("size_bytes", "xdpld-static", f"{XDPLD_STATIC} missing (make static)")
    if os.path.exists(XDP_LOADER):
        libs = ldd_libs(XDP_LOADER)
        add("size_bytes", "xdp-loader", 0, os.path.getsize(XDP_LOADER), "B")
        add("size_bytes", "xdp-loader+libs", 0,
            os.path.getsize(XDP_LOADER) + sum(os.path.getsize(l) for l in libs), "B")
        notes[("size_bytes", "libs")] = " ".join(os.path.basename(l) for l in libs) + " (libc excluded)"
    else:
        na("size_bytes", "xdp-loader", "xdp-loader missing (package xdp-tools)")


# ---------------------------------------------------------------- report

def get(metric, variant, n):
    for m, v, k, val, u in rows:
        if m == metric and v == variant and k == n:
            return val
    return None


def fmt(x, nd=1):
    return "-" if x is None else f"{x:.{nd}f}"


def table():
    L = []
    p = L.append
    p(f"xdpld bench ({'QUICK, ' if QUICK else ''}repeat {REPEAT}, median of {ROUNDS} rounds "
      f"({ROUNDS * 2 - 1} for N <= 4); "
      f"module: bench/bpf/bench_mod.bpf.c, 64-byte IPv4/UDP packet)")
    p(f"pipelines loaded by {os.path.relpath(XDPLD)}; commands timed and sized: {os.path.relpath(XDPLD_STATIC)}")
    p("")
    p("1. per-packet cost, ns (overhead per slot over the floor, ns; pipelines --no-counters "
      "except static+counters)")
    pv = ["floor", "static-flat", "static-calls", "static+counters", "tailcall", "chain", "freplace",
          "libxdp-empty", "libxdp-modules"]
    ns_all = sorted(set(NS + DISP_NS))
    p("  " + f"{'variant':<16}" + "".join(f"{'N=' + str(n):>16}" for n in ns_all))
    for v in pv:
        if not any(r[0] == "pkt_ns" and r[1] == v for r in rows):
            p(f"  {v:<16}n/a: {notes.get(('pkt_ns', v), 'not measured')}")
            continue
        cells = []
        for n in ns_all:
            t, s = get("pkt_ns", v, n), get("slot_ns", v, n)
            cells.append("" if t is None else (fmt(t) + ("" if s is None else f" ({fmt(s, 2)})")))
        p("  " + f"{v:<16}" + "".join(f"{c:>16}" for c in cells))
        if ("pkt_ns", v) in notes:
            p(f"  {'':<16}note: {notes[('pkt_ns', v)]}")
    ep = [r[3] for r in rows if r[0] == "pkt_ns" and r[1] == "empty-prog"]
    p(f"  empty program (libxdp-empty's floor, measured in the same rounds): "
      f"{fmt(statistics.median(ep)) if ep else '-'} ns")
    p("")
    p("2. re-link of one slot (the middle one) in a pipeline of N, median wall ms")
    p("  " + f"{'backend':<16}" + "".join(f"{'N=' + str(n):>8}" for n in RELINK_NS))
    for v in ["static", "tailcall", "chain", "freplace", "xdp-loader", "VM",
              "freplace-vm", "tailcall-vm", "chain-vm", "xdp-loader-vm"]:
        if v == "VM":
            p("  in the VM (qemu TCG, Debian 6.1 kernel: EXT programs work; times are emulated, "
              "compare them only with each other):")
            continue
        if not any(r[0] == "relink_ms" and r[1] == v for r in rows):
            p(f"  {v:<16}n/a: {notes.get(('relink_ms', v), 'not measured')}")
            continue
        p("  " + f"{v:<16}" + "".join(f"{fmt(get('relink_ms', v, n)):>8}" for n in RELINK_NS))
    if ("relink_ms", "xdp-loader N>1") in notes:
        p(f"  {'':<16}xdp-loader N>1 n/a: {notes[('relink_ms', 'xdp-loader N>1')]}")
    p("")
    p(f"3. cold apply: attach of {' '.join(COLD_MODS)} (N=3) and of the first alone (N=1), median wall ms")
    for v in ["xdpld-attach", "xdp-loader", "xdpld-attach-vm", "xdp-loader-vm"]:
        for n in ((3, 1) if not v.endswith("-vm") else (3,)):
            if v.endswith("-vm"):
                val = get("cold_ms", v, n)
                p(f"  {v:<16}N={n}  " + (f"{fmt(val)} ms (VM, TCG)" if val is not None
                                        else f"n/a: {notes.get(('cold_ms', v), 'not measured')}"))
                continue
            val = get("cold_ms", v, n)
            key = ("cold_ms", f"xdp-loader {n}") if v == "xdp-loader" else ("cold_ms", v)
            p(f"  {v:<16}N={n}  " + (f"{fmt(val)} ms, peak RSS {fmt(get('rss_kb', v, n), 0)} KB"
                                    if val is not None else f"n/a: {notes.get(key, 'failed')}"))
    p("")
    p("4. footprint")
    sz, xl, xll = get("size_bytes", "xdpld-static", 0), get("size_bytes", "xdp-loader", 0), \
        get("size_bytes", "xdp-loader+libs", 0)
    p(f"  static xdpld (stripped) {fmt(sz and sz / 1024)} KB; xdp-loader {fmt(xl and xl / 1024)} KB, "
      f"with libraries {fmt(xll and xll / 1024)} KB ({notes.get(('size_bytes', 'libs'), '')})")
    p("")
    p(f"5. CO-RE resolution: xdpld verify (links, resolves, loads) vs libbpf open+load of each "
      f"(bench/tools/coreload), {' '.join(CORE_MODS)} (N=4) and the first (N=1); "
      f"median of {CORE_REPS}: wall ms, peak RSS KB")
    fb, mb = get("core_btf_bytes", "full", 0), get("core_btf_bytes", "min", 4)
    p(f"  target BTF: full {KERNEL_BTF} {fmt(fb and fb / 1024, 0)} KB; minimized (xdpld btfgen of the four) "
      f"{fmt(mb and mb / 1024, 1)} KB")
    labels = {"xdpld-full": "xdpld, full vmlinux BTF", "libbpf-full": "libbpf, full vmlinux BTF",
              "xdpld-min": "xdpld, minimized BTF", "libbpf-min": "libbpf, minimized BTF",
              "xdpld-nocore": "xdpld, modules without CO-RE (bench mod.o)",
              "xdpld-core": "xdpld core (prepare only, per object)"}
    for v in CORE_VARIANTS:
        cells = []
        for n in (4, 1):
            t, m = get("core_ms", v, n), get("core_rss_kb", v, n)
            cells.append(f"N={n} " + ("-" if t is None else f"{t:6.1f} ms {m:7.0f} KB"))
        if all(get("core_ms", v, n) is None for n in (4, 1)):
            p(f"  {v:<14}n/a: {notes.get(('core_ms', v), 'not measured')}")
        else:
            p(f"  {v:<14}" + "   ".join(cells) + f"   ({labels[v]})")
            if ("core_ms", v) in notes:
                p(f"  {'':<14}note: {notes[('core_ms', v)]}")
    p("")
    p("targets (issue 11)")

    def target(name, ok, detail):
        state = "n/a   " if ok is None else ("met   " if ok else "MISSED")
        p(f"  [{state}] {name}: {detail}")

    # static flattened <= 1 ns per slot over the floor at every N
    fl = [(n, get("slot_ns", "static-flat", n)) for n in NS]
    if all(v is not None for n, v in fl):
        worst = max(fl, key=lambda x: x[1])
        target("static flattened per slot <= 1 ns over the floor at every N",
               worst[1] <= 1.0, f"worst {worst[1]:.2f} ns at N={worst[0]}")
    else:
        target("static flattened per slot <= 1 ns over the floor at every N", None,
               notes.get(("pkt_ns", "static-flat"), "not measured"))
    # chain per slot <= half libxdp's
    lx = [get("slot_ns", "libxdp-empty", n) for n in DISP_NS]
    lx = [v for v in lx if v is not None]
    lxs = statistics.median(lx) if lx else None
    ch = [get("slot_ns", "chain", n) for n in NS]
    if lxs is not None and all(v is not None for v in ch):
        worst = max(ch)
        target("chain per slot <= 1/2 of libxdp's per-slot cost", worst <= lxs / 2,
               f"chain worst {worst:.2f} ns vs libxdp {lxs:.2f} ns/slot (ratio {worst / lxs:.2f})")
    else:
        target("chain per slot <= 1/2 of libxdp's per-slot cost", None,
               notes.get(("pkt_ns", "chain"), "libxdp not measured") +
               (f"; libxdp's empty slot costs {lxs:.2f} ns" if lxs is not None else ""))
    # re-link at N = 5 <= 1/5 of xdp-loader, flat in N
    xl1 = get("relink_ms", "xdp-loader", 1)
    xlv = get("relink_ms", "xdp-loader-vm", 5)
    for be in ["freplace-vm", "chain-vm", "tailcall-vm"]:
        r5 = get("relink_ms", be, 5)
        name = f"re-link {be[:-3]} at N=5 <= 1/5 of xdp-loader's, flat in N (VM)"
        if r5 is None or xlv is None:
            target(name, None, notes.get(("relink_ms", be)) or notes.get(("relink_ms", "xdp-loader-vm"))
                   or "not measured")
            continue
        lo = statistics.median([get("relink_ms", be, n) or r5 for n in RELINK_NS[:3]])
        hi = statistics.median([get("relink_ms", be, n) or r5 for n in RELINK_NS[-3:]])
        target(name, r5 <= xlv / 5 and hi / lo <= 1.5,
               f"{r5:.1f} ms vs xdp-loader {xlv:.1f} ms with its dispatcher (ratio {r5 / xlv:.2f}); "
               f"N=8..10 vs N=1..3: {hi / lo:.2f}x")
    for be in ["chain", "tailcall"]:
        r5 = get("relink_ms", be, 5)
        if r5 is None or xl1 is None:
            why = notes.get(("relink_ms", be)) or notes.get(("relink_ms", "xdp-loader")) or \
                ("N=5 not measured (quick mode)" if 5 not in RELINK_NS else "not measured")
            target(f"re-link {be} at N=5 <= 1/5 of xdp-loader's, flat in N (host)", None, why)
            continue
        # flat: the median of N = 8..10 within 1.5x the median of N = 1..3
        lo = statistics.median([get("relink_ms", be, n) for n in RELINK_NS[:3]])
        hi = statistics.median([get("relink_ms", be, n) for n in RELINK_NS[-3:]])
        flat = hi / lo
        target(f"re-link {be} at N=5 <= 1/5 of xdp-loader's, flat in N (host)",
               r5 <= xl1 / 5 and flat <= 1.5,
               f"{r5:.1f} ms vs xdp-loader {xl1:.1f} ms (ratio {r5 / xl1:.2f}; proxy: xdp-loader's "
               f"single-program unload+load, its N=5 dispatcher path is VM only); "
               f"N=8..10 vs N=1..3: {flat:.2f}x")
    if sz and xll:
        target("static binary <= 40% of xdp-loader + libraries", sz <= 0.4 * xll,
               f"{sz / 1024:.1f} KB vs {xll / 1024:.1f} KB: ratio {sz / xll:.3f}")
    else:
        target("static binary <= 40% of xdp-loader + libraries", None, "not measured")
    a3, x1 = get("rss_kb", "xdpld-attach", 3), get("rss_kb", "xdp-loader", 1)
    x3 = get("rss_kb", "xdp-loader", 3)
    if a3 and (x3 or x1):
        ref = x3 or x1
        target("attach peak RSS below xdp-loader's", a3 < ref,
               f"xdpld attach of 3: {a3:.0f} KB vs xdp-loader load of {3 if x3 else 1}: {ref:.0f} KB "
               f"(ratio {a3 / ref:.2f})")
    else:
        target("attach peak RSS below xdp-loader's", None, "not measured")
    p("targets (issue 19)")
    xt, lt = get("core_ms", "xdpld-full", 4), get("core_ms", "libbpf-full", 4)
    xr, lr = get("core_rss_kb", "xdpld-full", 4), get("core_rss_kb", "libbpf-full", 4)
    if xt and lt:
        target("CO-RE, full vmlinux BTF, 4 modules: time <= 1/2 of libbpf's", xt <= lt / 2,
               f"{xt:.1f} ms vs {lt:.1f} ms (ratio {xt / lt:.2f})")
        target("CO-RE, full vmlinux BTF, 4 modules: peak RSS <= 1/2 of libbpf's", xr <= lr / 2,
               f"{xr:.0f} KB vs {lr:.0f} KB (ratio {xr / lr:.2f})")
    else:
        for what in ("time", "peak RSS"):
            target(f"CO-RE, full vmlinux BTF, 4 modules: {what} <= 1/2 of libbpf's", None,
                   notes.get(("core_ms", "xdpld-full")) or notes.get(("core_ms", "libbpf-full"))
                   or "not measured")
    mr, nr = get("core_rss_kb", "xdpld-min", 4), get("core_rss_kb", "xdpld-nocore", 4)
    if mr and nr:
        target("CO-RE, minimized BTF: peak RSS <= modules without CO-RE + 200 KB", mr - nr <= 200,
               f"{mr:.0f} KB vs {nr:.0f} KB (+{mr - nr:.0f} KB)")
    else:
        target("CO-RE, minimized BTF: peak RSS <= modules without CO-RE + 200 KB", None,
               notes.get(("core_ms", "xdpld-min")) or notes.get(("core_ms", "xdpld-nocore"))
               or "not measured")
    return "\n".join(L) + "\n"


def write_csv():
    with open(os.path.join(OUT, "results.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["metric", "variant", "n", "value", "unit"])
        for m, v, n, val, u in rows:
            w.writerow([m, v, n, f"{val:.3f}" if isinstance(val, float) else val, u])


# one colour per variant in every panel (a backend's VM row like its host row)
COLORS = {"floor": "#000000", "static-flat": "#009e73", "static-calls": "#56b4e9",
          "static+counters": "#0072b2", "static": "#0072b2", "tailcall": "#e69f00",
          "tailcall-vm": "#e69f00", "chain": "#cc79a7", "chain-vm": "#cc79a7",
          "freplace-vm": "#8b4513", "libxdp-empty": "#d55e00", "xdp-loader": "#d55e00",
          "xdp-loader-vm": "#d55e00"}


def plot():
    if os.environ.get("BENCH_NOPLOT") or not shutil.which("gnuplot"):
        return "no plot (gnuplot missing or BENCH_NOPLOT)"
    dat = os.path.join(OUT, "plot")
    os.makedirs(dat, exist_ok=True)
    series = {}
    for m, v, n, val, u in rows:
        if m in ("pkt_ns", "slot_ns", "relink_ms") and n:
            series.setdefault((m, v), []).append((n, val))
    plots = {"pkt_ns": [], "slot_ns": [], "relink_ms": [], "relink_vm": []}
    for (m, v), pts in sorted(series.items()):
        fn = os.path.join(dat, f"{m}-{v}.dat".replace("+", "_"))
        with open(fn, "w") as f:
            for n, val in sorted(pts):
                f.write(f"{n} {val}\n")
        lt = f"lc rgb '{COLORS.get(v, '#808080')}'"
        panel = "relink_vm" if m == "relink_ms" and v.endswith("-vm") else m
        plots[panel].append(f"'{fn}' using 1:2 with linespoints {lt} lw 2 title '{v}'")
    def pl(panel):      # an empty panel gets a grey zero line, not a gnuplot error
        return ", ".join(plots[panel]) or "0 with lines lc rgb '#cccccc' title 'no data'"

    gp = os.path.join(dat, "bench.gp")
    with open(gp, "w") as f:
        f.write(f"set terminal pngcairo size 2000,500 noenhanced\nset output '{OUT}/bench.png'\n"
                "set multiplot layout 1,4\nset key top left\nset grid\n"
                "set title 'per-packet cost (BPF_PROG_TEST_RUN)'\nset xlabel 'slots N'\n"
                "set ylabel 'ns per packet'\nset logscale xy 2\n"
                f"plot {pl('pkt_ns')}\n"
                "unset logscale y\nset key top left maxrows 4\nset offsets 0,0,3,0\nset title 'overhead per slot (libxdp-empty: over an empty program)'\n"
                "set ylabel 'ns per slot over the floor'\n"
                f"plot {pl('slot_ns')}\n"
                "unset logscale x\nset key top left maxrows 10\nset offsets 0,0,0,0\nset title 're-link of one slot'\nset xlabel 'pipeline length N'\n"
                "set ylabel 'ms (median wall time)'\n"
                + f"plot {pl('relink_ms')}\n"
                + "set title 're-link of one slot in the VM (qemu TCG)'\n"
                + f"plot {pl('relink_vm')}\n"
                + "unset multiplot\n")
    r = sh(["gnuplot", gp], check=False)
    if r.returncode and "pngcairo" in r.stderr:     # a gnuplot without cairo
        with open(gp) as f:
            text = f.read().replace("pngcairo", "png")
        with open(gp, "w") as f:
            f.write(text)
        r = sh(["gnuplot", gp], check=False)
    return f"plot: {OUT}/bench.png" if r.returncode == 0 else f"plot failed: {first_line(r.stderr)}"


def machine():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    try:
        with open("/sys/devices/system/cpu/vulnerabilities/spec_rstack_overflow") as f:
            srso = f.read().strip()
    except OSError:
        srso = "?"
    return f"machine: {cpu}, {os.cpu_count()} CPUs, kernel {os.uname().release}, spec_rstack_overflow: {srso}"


def replot():
    """`bench.py --replot`: draw bench.png again from results.csv."""
    with open(os.path.join(OUT, "results.csv")) as f:
        for r in csv.DictReader(f):
            rows.append((r["metric"], r["variant"], int(r["n"]), float(r["value"]), r["unit"]))
    print(plot())
    return 0


def main():
    if sys.argv[1:] == ["--replot"]:
        return replot()
    if os.geteuid() != 0:
        print("bench: needs root (bpf(2), network namespaces)", file=sys.stderr)
        return 1
    for path in (XDPLD, BENCHRUN, os.path.join(BDIR, "floor.o"), os.path.join(BDIR, "mod.o")):
        if not os.path.exists(path):
            print(f"bench: {path} missing (run `make bench`)", file=sys.stderr)
            return 1
    global XDPLD_STATIC
    if not os.path.exists(XDPLD_STATIC):
        log(f"{XDPLD_STATIC} missing: commands timed with {XDPLD}")
        XDPLD_STATIC = XDPLD
    if not os.path.exists(XDP_LOADER):
        for m in ("relink_ms", "cold_ms"):
            na(m, "xdp-loader", "xdp-loader missing (package xdp-tools)")
    failed = []     # a phase that broke: the others still run, the table still comes out
    try:
        for phase in (setup, per_packet, relink, cold, footprint, core, vm):
            if failed and failed[0][0] == "setup" and phase not in (footprint, core):
                continue
            try:
                phase()
            except Exception as e:  # noqa: BLE001 (reported in the table)
                log(f"{phase.__name__} failed: {e}")
                failed.append((phase.__name__, first_line(str(e))))
    finally:
        cleanup()
    write_csv()
    t = machine() + "\n" + table()
    for name, why in failed:
        t += f"phase {name} failed (its rows are missing): {why}\n"
    pl = plot()
    t += f"\nraw: {OUT}/results.csv; {pl}; run time {time.monotonic() - started:.0f} s\n"
    with open(os.path.join(OUT, "table.txt"), "w") as f:
        f.write(t)
    print(t, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
