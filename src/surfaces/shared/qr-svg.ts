import QRCode from 'qrcode';

/** An otpauth URI as an inline SVG QR code (no script, no image request: fits the strict CSP of the pages). */
export function qrSvg(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}
