import * as assert from 'node:assert/strict';
import rule, { findPii, maskPii } from '../../src/core/rules/governance/sensitive-output';
import type { NotebookOutput } from '../../src/core/parse/notebook';
import { editSession, type EditCell } from '../helpers/edit-session';
import { ruleTester } from '../helpers/rule-tester';

const result = (text: string): unknown => ({ output_type: 'execute_result', execution_count: 1, metadata: {}, data: { 'text/plain': text } });
const stream = (text: string, name = 'stdout'): unknown => ({ output_type: 'stream', name, text });
const html = (text: string): unknown => ({ output_type: 'display_data', metadata: {}, data: { 'text/html': text } });
const image = (chars: number): unknown => ({ output_type: 'display_data', metadata: {}, data: { 'image/png': 'iVBORw0KGgo'.padEnd(chars, 'A'), 'text/plain': '<Figure size 640x480 with 1 Axes>' } });

ruleTester(rule, {
  valid: [
    {
      name: 'numbers that are not phone or card numbers',
      cells: [
        {
          code: 'df.describe()',
          outputs: [
            result('        amount        ts\ncount  3.0e+02  2021-06-01\nmean   1.5e+02  2021-06-02 12:30:45\n[234 567 8901]\nid 4012888888881882X 1234567812345678 10.0.0.255 192.168.1.100\nversion 1.2.3-456-7890a'),
          ],
        },
      ],
    },
    {
      name: 'addresses that are not a person\'s',
      cells: [
        {
          code: '!gcloud config list\n!pip show pandas',
          outputs: [
            stream(
              'account = 1234567-compute@developer.gserviceaccount.com\nsa: trainer@my-proj.iam.gserviceaccount.com\nAuthor-email: The pandas team <pandas-dev@python.org>\nMaintainer: Jane Roe jroe@numfocus.org\ncontact: support@company.io noreply@github.com git@github.com:org/repo.git\nuser: a@b.com foo@bar.com jane.doe@example.com\nicon@2x.png torch@2.1.tar.gz\n',
            ),
          ],
        },
      ],
    },
    { name: 'an invalid SSN and a bad IBAN checksum', cells: [{ code: 'x', outputs: [result('000-12-3456 123-00-4567 GB82 WEST 1234 5698 7654 33')] }] },
    { name: 'error outputs are for error-output-committed', cells: [{ code: 'send()', outputs: [{ output_type: 'error', ename: 'SMTPError', evalue: 'rejected ana.silva@gmail.com', traceback: [] }] }] },
    { name: 'a plot under the size limit', cells: [{ code: 'plt.show()', outputs: [image(300_000)] }] },
    { name: 'a .py file has no outputs', code: 'print("ana.silva@gmail.com")\n' },
  ],
  invalid: [
    {
      name: 'a customer table with e-mails and phone numbers',
      cells: [
        'import pandas as pd',
        {
          code: 'customers = pd.read_csv("customers.csv")\ncustomers.head(3)',
          outputs: [result('   id                email          phone\n0  1  ana.silva@gmail.com  (415) 555-0132\n1  2  j.doe@outlook.com  212-555-0188\n2  3  ana.silva@gmail.com  +44 20 7946 0958')],
        },
      ],
      errors: [
        {
          messageId: 'personalData',
          cell: 1,
          line: 1,
          column: 1,
          endColumn: 41,
          message:
            "This cell's saved output shows what looks like personal data: 2 e-mail addresses, 3 phone numbers (e.g. a***@g***.com). Clear the output, or drop / mask those columns before displaying them, before the notebook is committed.",
        },
      ],
    },
    {
      name: 'an HTML-only table, a stream, and card / SSN / IBAN values',
      cells: [
        { code: 'display(HTML(table))', outputs: [html('<table><tr><td>m.rossi@libero.it</td></tr></table>')] },
        { code: 'print(row)', outputs: [stream('card 4539 1488 0343 6467 ssn 123-45-6789 iban DE89 3704 0044 0532 0130 00\n')] },
      ],
      errors: [
        { messageId: 'personalData', cell: 0, line: 1, column: 1, messageIncludes: '1 e-mail address (e.g. m***@l***.it)' },
        { messageId: 'personalData', cell: 1, line: 1, column: 1, messageIncludes: '1 payment card number, 1 US social security number, 1 IBAN (e.g. **** **** **** 6467)' },
      ],
    },
    {
      name: 'ANSI colour codes around an address in a CLI log',
      cells: [{ code: '!zenml pipeline run', outputs: [stream('\u001b[1;35mUsing user: \u001b[0m\u001b[1;36mana.silva@gmail.com\u001b[0m\n')] }],
      errors: [{ messageId: 'personalData', cell: 0, line: 1, column: 1, messageIncludes: '1 e-mail address (e.g. a***@g***.com)' }],
    },
    {
      name: 'a very large output',
      cells: [{ code: 'fig.show()', outputs: [image(1_200_000)] }],
      errors: [
        {
          messageId: 'largeOutput',
          cell: 0,
          line: 1,
          column: 1,
          message:
            "This cell's saved output is 1.1 MB (image/png): outputs that large bloat the repository and every diff, and can embed a whole data set. Clear it, or save the figure or table to a file and show a small preview.",
        },
      ],
    },
    {
      name: 'the size limit is an option',
      options: { maxOutputBytes: 100_000 },
      cells: [{ code: 'df', outputs: [html('<table>' + '<tr><td>1</td></tr>'.repeat(6000) + '</table>')] }],
      errors: [{ messageId: 'largeOutput', cell: 0, line: 1, column: 1, messageIncludes: '(text/html)' }],
    },
  ],
});

describe('sensitive-output helpers', () => {
  it('masks every kind', () => {
    assert.equal(maskPii('email', 'ana.silva@gmail.com'), 'a***@g***.com');
    assert.equal(maskPii('card', '4111-1111-1111-1234'), '**** **** **** 1234');
    assert.equal(maskPii('phone', '(415) 555-0132'), '***-***-**32');
    assert.equal(maskPii('ssn', '123-45-6789'), '***-**-****');
    assert.equal(maskPii('iban', 'DE89 3704 0044 0532 0130 00'), 'DE** **** ****');
  });

  it('checks card numbers with Luhn and the network prefix (one-digit test numbers are skipped)', () => {
    assert.deepEqual(findPii('4539148803436467 378282246310005 4111111111111111').map((h) => h.kind), ['card', 'card']);
    assert.deepEqual(findPii('4111111111111112 9111111111111111'), []);
  });
});

describe('sensitive-output after one-cell edits', () => {
  it('follows outputs added, kept and cleared', async () => {
    const lint = await editSession('sensitive-output');
    const table = result('   id                email\n0  1  ana.silva@gmail.com\n1  2  j.doe@outlook.com');
    const cells = (out: unknown[]): EditCell[] => ['import pandas as pd', { code: 'customers.head()', outputs: out as NotebookOutput[] }, 'x = 2'];
    assert.deepEqual(await lint(cells([])), []);
    assert.deepEqual(await lint(cells([table])), ['1:1:1 personalData']);
    // Another cell edited: the output is the same object, read from the cache.
    assert.deepEqual(await lint([...cells([table]).slice(0, 2), 'x = 3']), ['1:1:1 personalData']);
    assert.deepEqual(await lint(cells([table, stream('ana.silva@gmail.com\n')])), ['1:1:1 personalData']);
    assert.deepEqual(await lint(cells([stream('done\n')])), []);
  });
});
