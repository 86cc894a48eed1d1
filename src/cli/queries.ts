/**
 * `npm run queries`: the ready-made visibility queries, with today's times filled in, as commands to
 * paste. `npm run queries -- <name>` runs one against the Temporal server and lists what it finds;
 * `npm run queries -- email <address>` lists a customer's orders by the keyed hash of the address.
 */
import { Connection, Client } from '@temporalio/client';
import { emailSearchHash, encryptingDataConverter } from '../codec/data-converter.js';
import { loadConfigOrExit } from '../config.js';
import { operatorQueries } from '../contracts/operator-queries.js';

const queries = operatorQueries();
const name = process.argv[2];

if (!name) {
  for (const q of queries) {
    console.log(`# ${q.name}: ${q.description}`);
    console.log(`temporal workflow list --query '${q.query}'\n`);
  }
  console.log('Run one here: npm run queries -- <name>   (the Web UI takes the same query text)');
  console.log("A customer's orders: npm run queries -- email <address>   (by the hash of the address)");
} else {
  // Only Temporal is needed: the admin token is not.
  const config = loadConfigOrExit({ ADMIN_TOKEN: 'not-used-by-the-queries-cli', ...process.env });
  // `email <address>`: a customer's orders, by the keyed hash their address is indexed under.
  const address = name === 'email' ? process.argv[3] : undefined;
  if (name === 'email' && !address) {
    console.error('usage: npm run queries -- email <address>');
    process.exit(2);
  }
  const query = address
    ? {
        name,
        description: `orders of ${address}`,
        query: `WorkflowType="orderWorkflow" AND CustomerEmailHash="${emailSearchHash(config.security.emailHashSecret, address)}"`,
      }
    : queries.find((q) => q.name === name);
  if (!query) {
    console.error(`no query named "${name}"; one of: ${queries.map((q) => q.name).join(', ')}, email <address>`);
    process.exit(2);
  }
  const connection = await Connection.connect({ address: config.temporal.address });
  try {
    const client = new Client({
      connection,
      namespace: config.temporal.namespace,
      dataConverter: encryptingDataConverter(config.security.payloadKeys),
    });
    console.log(`# ${query.description}\n# ${query.query}`);
    let n = 0;
    for await (const wf of client.workflow.list({ query: query.query })) {
      n++;
      const status = wf.searchAttributes.OrderStatus ?? wf.searchAttributes.CartStatus ?? [];
      console.log(
        `${wf.workflowId}  ${wf.status.name}  ${String(status[0] ?? '')}  started ${wf.startTime.toISOString()}`,
      );
    }
    console.log(`${n} found`);
  } finally {
    await connection.close();
  }
}
