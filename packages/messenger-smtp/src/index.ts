export type { Mailbox } from './address.js';
export type { EmailAttachment } from './compose.js';
export { sitemsgDriver } from './driver.js';
export {
  NodemailerMessage,
  type NodemailerMessageContext,
  type StoredAttachment,
} from './nodemailer-message.js';
export type {
  SmtpAuth,
  SmtpMessageOptions,
  SmtpMessengerOptions,
  SmtpServerOptions,
  SmtpTransporterOptions,
} from './options.js';
export {
  type SitemsgSentMessageInfo,
  type SitemsgTransportOptions,
  sitemsgTransport,
} from './sitemsg-transport.js';
export { SmtpMessenger } from './smtp-messenger.js';
