import { MessageType } from './message-type.js';

/** Plain text for any channel. Context: `{ text }`. */
export class PlainTextMessage extends MessageType<{ text: string }> {
  static override alias: string = 'plain';
  static override title: string = 'Plain text';

  constructor(text: string) {
    super({ text });
  }
}

/** A plain-text e-mail. Context: `{ subject, text }`. */
export class EmailTextMessage extends MessageType<{ subject: string; text: string }> {
  static override alias: string = 'email_plain';
  static override title: string = 'E-mail (text)';

  constructor(subject: string, text: string) {
    super({ subject, text });
  }
}

/** An HTML e-mail with a text alternative (derived from the HTML when not given). Context: `{ subject, html, text? }`. */
export class EmailHtmlMessage extends MessageType<{ subject: string; html: string; text?: string }> {
  static override alias: string = 'email_html';
  static override title: string = 'E-mail (HTML)';

  constructor(subject: string, html: string, text?: string) {
    super(text === undefined ? { subject, html } : { subject, html, text });
  }
}
