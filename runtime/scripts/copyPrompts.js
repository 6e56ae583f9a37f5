// tsc copies no templates: the prompts the agents read at run time go beside the compiled code.
const { cpSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
cpSync(join(root, 'prompts'), join(root, 'dist', 'prompts'), { recursive: true, filter: (path) => !path.endsWith('.ts') });
