/** @module Directory-mode dump file names: a plain file name, because some ORDS releases render it unescaped into a SQL script. */

export const MAX_FILE_NAME = 255;

export type FileNameFault = { readonly position: number; readonly reason: string };

/**
 * Letters, digits, `_`, `-`, `.` and the substitution variables `%U`, `%u`, `%L`; starting with a letter, a
 * digit or a substitution variable (so never `.`, `..` or an option-like `-`). Returns the first fault, or null.
 */
export function directoryFileNameFault(name: string): FileNameFault | null {
  if (name.length === 0) return { position: 1, reason: 'the file name is empty' };
  if (name.length > MAX_FILE_NAME)
    return { position: MAX_FILE_NAME + 1, reason: `a file name may be at most ${MAX_FILE_NAME} characters long` };
  for (let i = 0; i < name.length; i++) {
    const c = name[i] ?? '';
    const code = name.charCodeAt(i);
    const at = i + 1;
    if (/[A-Za-z0-9]/.test(c)) continue;
    if (c === '%') {
      // Data Pump's own rule (ORA-39124): '%' must start a substitution variable.
      if (!/[UuL]/.test(name[i + 1] ?? ''))
        return { position: at, reason: "'%' may only start the substitution variables %U, %u or %L" };
      i += 1;
      continue;
    }
    if (code < 0x20 || code === 0x7f)
      return { position: at, reason: 'control characters and line breaks are not accepted' };
    if (code > 0x7e)
      return { position: at, reason: 'only ASCII letters, digits, "_", "-", "." and %U, %u, %L are accepted' };
    if (c === '/' || c === '\\')
      return { position: at, reason: 'path separators are not accepted: name a file inside the directory object' };
    if (c === "'" || c === '"' || c === '`') return { position: at, reason: 'quotes are not accepted' };
    if (c === ';') return { position: at, reason: 'semicolons are not accepted' };
    if (c === ' ') return { position: at, reason: 'spaces are not accepted' };
    if (i === 0)
      return { position: at, reason: 'a file name must start with a letter, a digit or a substitution variable' };
    if (c === '-' && name[i + 1] === '-') return { position: at, reason: '"--" is not accepted' };
    if (c === '_' || c === '-' || c === '.') continue;
    return { position: at, reason: 'only letters, digits, "_", "-", "." and %U, %u, %L are accepted' };
  }
  return null;
}
