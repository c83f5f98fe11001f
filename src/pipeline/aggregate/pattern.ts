/**
 * How carbon turns an aggregation rule's input pattern into a Python regex and its output pattern
 * into a %-format template (carbon/aggregator/rules.py build_regex / build_template), reproduced
 * character for character, quirks included: only the first `<field>` of a dot-separated segment is a
 * field, `<<field>>` may span dots, a lone `*` is `[^.]+` but `*` inside a segment is `[^.]*`, and
 * everything else is raw regex (no escaping).
 */
export function buildInputRegexSource(inputPattern: string): string {
  const parts = inputPattern.split('.').map((part) => {
    if (part.includes('<<') && part.includes('>>')) {
      const i = part.indexOf('<<');
      const j = part.indexOf('>>');
      // Python slices: a `>>` before the `<<` gives an empty or odd field name, as in carbon.
      return `${part.slice(0, i)}(?P<${pySlice(part, i + 2, j)}>.+?)${part.slice(j + 2)}`;
    }
    const i = part.indexOf('<');
    const j = part.indexOf('>');
    if (i > -1 && j > i) {
      return `${part.slice(0, i)}(?P<${part.slice(i + 1, j)}>[^.]+?)${part.slice(j + 1)}`;
    }
    if (part === '*') return '[^.]+';
    return part.replaceAll('*', '[^.]*');
  });
  return parts.join('\\.') + '$';
}

/** Python's `s[a:b]` for non-negative a and b (JS slice differs only when b < a, giving '' too). */
function pySlice(s: string, a: number, b: number): string {
  return b < a ? '' : s.slice(a, b);
}

/** carbon's build_template: `<` becomes `%(` and `>` becomes `)s`, then Python %-formatting. */
export function buildOutputTemplate(outputPattern: string): string {
  return outputPattern.replaceAll('<', '%(').replaceAll('>', ')s');
}

/** Raised where Python's `template % fields` raises KeyError or ValueError: carbon loses the point. */
export class TemplateInterpolationError extends Error {
  override name = 'TemplateInterpolationError';
}

type TemplatePiece = string | { field: string };

/**
 * A compiled `template % fields` for the forms carbon templates produce. `%(name)s` inserts the field
 * (Python's str(): a group that did not participate prints `None`), `%%` is a literal percent.
 * Any other conversion makes Python raise TypeError, which carbon catches and turns into "no
 * aggregate for this rule" (`unsupported` is then set and interpolate() returns null); an
 * incomplete `%` at the end raises ValueError, which carbon does not catch.
 */
export class OutputTemplate {
  private readonly pieces: TemplatePiece[] = [];
  /** Why Python would raise TypeError for every name (interpolate() returns null), if it would. */
  readonly unsupported: string | null = null;
  /** Why Python would raise ValueError for every name (interpolate() throws), if it would. */
  private readonly invalid: string | null = null;
  readonly fields: string[] = [];

  constructor(readonly template: string) {
    let literal = '';
    let i = 0;
    while (i < template.length) {
      const c = template[i];
      if (c !== '%') {
        literal += c;
        i++;
        continue;
      }
      const next = template[i + 1];
      if (next === '%') {
        literal += '%';
        i += 2;
        continue;
      }
      if (next === '(') {
        const close = template.indexOf(')', i + 2);
        if (close < 0) {
          this.invalid = 'incomplete format key';
          break;
        }
        const field = template.slice(i + 2, close);
        const conv = template[close + 1];
        if (conv === 's' || conv === 'r' || conv === 'a') {
          if (literal) this.pieces.push(literal);
          literal = '';
          this.pieces.push({ field });
          this.fields.push(field);
          i = close + 2;
          continue;
        }
        if (conv === undefined) this.invalid = 'incomplete format';
        else this.unsupported = `unsupported conversion '%(${field})${conv}' in template ${template}`;
        break;
      }
      if (next === undefined) this.invalid = 'incomplete format';
      else this.unsupported = `literal '%' in template ${template} (carbon %-formats templates)`;
      break;
    }
    if (literal) this.pieces.push(literal);
  }

  /** The output name, null when carbon's TypeError path applies; throws where carbon's exception escapes. */
  interpolate(groups: Readonly<Record<string, string | undefined>> | undefined): string | null {
    if (this.invalid) throw new TemplateInterpolationError(`${this.invalid} in template ${this.template}`);
    if (this.unsupported) return null;
    let out = '';
    for (const piece of this.pieces) {
      if (typeof piece === 'string') {
        out += piece;
        continue;
      }
      if (!groups || !Object.prototype.hasOwnProperty.call(groups, piece.field)) {
        throw new TemplateInterpolationError(`field <${piece.field}> of template ${this.template} is not captured by the input pattern`);
      }
      const v = groups[piece.field];
      out += v === undefined ? 'None' : v;
    }
    return out;
  }
}
