// Shell lines are read as words only when they can run `install` / `create`: the
// cheap test before it must still let through a subcommand spelled with quotes or
// backslashes, and skip lines that cannot install anything.
import rule from '../../src/core/rules/reproducibility/unpinned-install';
import { ruleTester } from '../helpers/rule-tester';

ruleTester(rule, {
  valid: [
    { name: 'shell lines that install nothing, quoted or not', cells: ['!gsutil cp "gs://bucket/model.pkl" .\n!echo \'pip inst\' "all"\n!ls -la'] },
    { name: 'a quoted word that is not the subcommand', cells: ['!pip "list" pandas\n!conda "env" list'] },
  ],
  invalid: [
    {
      name: 'the subcommand spelled with quotes and a backslash',
      cells: ['!pip "ins"tall pandas\n!pip ins\\tall numpy\n!conda cre\'ate\' -n x scipy'],
      errors: [
        { messageId: 'none', messageIncludes: '`pandas`', cell: 0, line: 1, column: 16, endColumn: 22 },
        { messageId: 'none', messageIncludes: '`numpy`', cell: 0, line: 2, column: 15, endColumn: 20 },
        { messageId: 'none', messageIncludes: '`scipy`', cell: 0, line: 3, column: 22, endColumn: 27 },
      ],
    },
  ],
});
