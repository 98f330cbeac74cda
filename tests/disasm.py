"""The disassembly of a binary, for the tests that check what the compiler made of wirelint's code.

    from disasm import disassemble
    text = disassemble(binary)  # objdump -d, without raw bytes; exits 1 naming binutils when objdump is missing
"""
import shutil
import subprocess
import sys


def disassemble(binary):
    objdump = shutil.which("objdump")
    if not objdump:
        print("FAIL: objdump not found (binutils)")
        sys.exit(1)
    return subprocess.run([objdump, "-d", "--no-show-raw-insn", binary], check=True,
                          stdout=subprocess.PIPE, universal_newlines=True).stdout
