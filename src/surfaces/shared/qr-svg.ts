/** An otpauth URI as an inline SVG QR code (no script, no image request: fits the strict CSP of the pages). */
export async function qrSvg(text: string): Promise<string> {
  // Loaded when a second factor is set up, not at start.
  const { default: QRCode } = await import('qrcode');
  return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}
