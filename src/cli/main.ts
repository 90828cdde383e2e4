// The `relais` command.
import { Command, Option } from 'commander';
import { start } from './start.ts';
import { migrateCommand } from './migrate.ts';
import { sendCommand } from './send.ts';
import { keysCommand } from './keys.ts';
import { checkSmtpCommand } from './check-smtp.ts';

export async function main(argv: string[]): Promise<void> {
  const program = new Command()
    .name('relais')
    .description(
      "Relais sends a multi-tenant platform's emails from each organization's own address, through its own SMTP relay.\n" +
        'Configuration comes from RELAIS_* environment variables (see README).',
    )
    .showHelpAfterError();

  program
    .command('start')
    .description('Run the whole service: HTTP API, settings UI and the dispatcher that delivers queued messages.')
    .addOption(new Option('--demo', 'embedded demo: SQLite in ./relais-data, demo organization, local capture SMTP server and dev inbox').default(false))
    .action(async (opts: { demo: boolean }) => start({ demo: opts.demo, http: true }));

  program
    .command('worker')
    .description('Run only the dispatcher (no HTTP): claims queued messages and delivers them. Run several with PostgreSQL.')
    .action(async () => start({ demo: false, http: false }));

  program
    .command('migrate')
    .description('Create or upgrade the database schema, then exit. `start` and `worker` also migrate at boot.')
    .option('--compact', 'SQLite created before retention: switch to incremental auto-vacuum with one VACUUM (stop Relais first)')
    .action((options: { compact?: boolean }) => migrateCommand(options));

  program
    .command('send')
    .description('Queue an email for an organization, as the API would; a running `start` or `worker` delivers it.')
    .requiredOption('--org <id>', 'organization id')
    .requiredOption('--to <address...>', 'recipient(s): a@b.fr or "Name <a@b.fr>"')
    .requiredOption('--subject <text>', 'subject line')
    .option('--text <text>', 'plain-text body')
    .option('--html <html>', 'HTML body')
    .option('--category <slug>', 'category such as signature-request')
    .option('--idempotency-key <key>', 'makes a repeated command send only once')
    .action(sendCommand);

  program.addCommand(keysCommand());
  program.addCommand(checkSmtpCommand());

  await program.parseAsync(argv);
}
