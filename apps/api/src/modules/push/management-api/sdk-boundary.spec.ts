import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { projectRoot } from '../../../config/project-root.js';

const apiSource = join(projectRoot(), 'apps', 'api', 'src');
const managementApiFolder = join(apiSource, 'modules', 'push', 'management-api') + sep;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

const outside = sourceFiles(apiSource).filter((file) => !file.startsWith(managementApiFolder));

describe('the push boundary', () => {
  it('scans the API source (the folder exists and there is code outside it)', () => {
    expect(sourceFiles(managementApiFolder).map((file) => relative(managementApiFolder, file))).toContain('index.ts');
    expect(outside.length).toBeGreaterThan(20);
  });

  it('keeps the AWS SDK (@aws-sdk, @smithy) inside modules/push/management-api/', () => {
    const leaks = outside.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, i) =>
          /@aws-sdk|@smithy/.test(line) ? [`${relative(apiSource, file)}:${i + 1}: ${line.trim()}`] : [],
        ),
    );
    expect(leaks).toEqual([]);
  });

  it('enters management-api/ only through its index', () => {
    const deepImports = outside.flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/from\s+'([^']*\/management-api\/[^']*)'/g)]
        .map((match) => match[1])
        .filter((specifier) => !specifier.endsWith('/management-api/index.js'))
        .map((specifier) => `${relative(apiSource, file)}: ${specifier}`),
    );
    expect(deepImports).toEqual([]);
  });
});
