// Orderings shared by pruning: neighbouring doubles (to widen a value whose conversion may have
// rounded) and the code point order in which Delta orders strings (UTF-8 byte order), which
// JavaScript's UTF-16 comparison gets wrong for characters beyond U+FFFF.

const scratch = new DataView(new ArrayBuffer(8));

function step(value: number, up: boolean): number {
  if (Number.isNaN(value) || value === (up ? Infinity : -Infinity)) return value;
  if (value === 0) return up ? Number.MIN_VALUE : -Number.MIN_VALUE;
  scratch.setFloat64(0, value);
  const bits = scratch.getBigInt64(0);
  scratch.setBigInt64(0, value > 0 === up ? bits + 1n : bits - 1n);
  return scratch.getFloat64(0);
}

export function nextUp(value: number): number {
  return step(value, true);
}

export function nextDown(value: number): number {
  return step(value, false);
}

// Negative when a sorts before b by code point, as comparing UTF-8 bytes would.
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      // Surrogates (U+D800-DFFF) encode code points above every BMP character; in UTF-16 they
      // would sort below U+E000-FFFF.
      if (x >= 0xd800 && y >= 0xd800) return surrogateRank(x) - surrogateRank(y);
      return x - y;
    }
  }
  return a.length - b.length;
}

function surrogateRank(unit: number): number {
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}
