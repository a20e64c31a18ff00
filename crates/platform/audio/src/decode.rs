//! Opening, demuxing and decoding a file packet by packet, within [`Limits`], for
//! [`crate::probe`] and the 16 kHz mono decodes.

use std::fs::File;
use std::io::Read;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use symphonia::core::codecs::audio::well_known::CODEC_ID_OPUS;
use symphonia::core::codecs::audio::{AudioDecoder, AudioDecoderOptions};
use symphonia::core::errors::Error as SymphoniaError;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, FormatReader, TrackType};
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;
use symphonia::core::packet::Packet;

use crate::ending::Ending;
use crate::limits::Watch;
use crate::opus::{OpusStream, OPUS_RATE};
use crate::resample::Resampler;
use crate::{integrity, sniff, AudioError, Format, Limits, Pcm, Probe, SUPPORTED_FORMATS};

/// A stream with more undecodable packets than 1 in this many is rejected; isolated bad
/// packets (a damaged frame in a long recording) are skipped.
const MAX_BAD_PACKET_RATIO: u64 = 20;

pub(crate) fn probe(path: &Path, limits: Limits) -> Result<Probe, AudioError> {
    let summary = guarded(|| decode(path, limits, &mut |_, _, _| Ok(())))?;
    Ok(summary.probe())
}

pub(crate) fn decode_16k_mono(path: &Path, limits: Limits) -> Result<Pcm, AudioError> {
    let mut samples = Vec::new();
    decode_16k_mono_to(path, limits, &mut |piece| {
        samples.extend_from_slice(piece);
        Ok(())
    })?;
    Ok(Pcm {
        samples,
        sample_rate: crate::TARGET_RATE,
    })
}

/// Decodes `path` and hands its 16 kHz mono signal to `out` piece by piece, holding no more
/// than a packet and a resampler block.
pub(crate) fn decode_16k_mono_to(
    path: &Path,
    limits: Limits,
    out: &mut Out<'_>,
) -> Result<Probe, AudioError> {
    guarded(|| {
        let mut resampler: Option<Resampler> = None;
        let summary = decode(path, limits, &mut |samples, rate, channels| {
            let resampler = match &mut resampler {
                Some(resampler) => resampler,
                None => resampler.insert(Resampler::new(rate)?),
            };
            resampler.push(samples, channels)?;
            resampler.drain(out)
        })?;
        match resampler {
            Some(resampler) => resampler.finish(out)?,
            None => return Err(AudioError::Empty),
        }
        Ok(summary.probe())
    })
}

/// What a full decode found.
struct Summary {
    format: Format,
    sample_rate: u32,
    channels: usize,
    frames: u64,
}

impl Summary {
    fn probe(&self) -> Probe {
        Probe {
            format: self.format,
            duration_ms: self.frames * 1000 / u64::from(self.sample_rate),
            sample_rate: self.sample_rate,
            channels: u16::try_from(self.channels).unwrap_or(u16::MAX),
        }
    }
}

/// Where a decoded 16 kHz mono signal goes, piece by piece.
pub(crate) type Out<'a> = dyn FnMut(&[f32]) -> Result<(), AudioError> + 'a;

/// Interleaved samples, their rate and channel count, for each decoded packet.
type Sink<'a> = dyn FnMut(&[f32], u32, usize) -> Result<(), AudioError> + 'a;

/// Symphonia is pure Rust, but a decoder bug on hostile input could still panic; an upload
/// must never take the service down with it.
fn guarded<T>(run: impl FnOnce() -> Result<T, AudioError>) -> Result<T, AudioError> {
    catch_unwind(AssertUnwindSafe(run)).unwrap_or_else(|_| {
        Err(AudioError::Undecodable(
            "the decoder failed on this file; it is likely corrupt".into(),
        ))
    })
}

fn label(format: Format) -> &'static str {
    match format {
        Format::Wav => "WAV",
        Format::Flac => "FLAC",
        Format::Mp3 => "MP3",
        Format::Ogg => "Ogg",
        Format::M4a => "M4A",
        Format::Webm => "WebM",
    }
}

enum Codec {
    Symphonia(Box<dyn AudioDecoder>),
    Opus(Box<OpusStream>),
}

fn decode(path: &Path, limits: Limits, sink: &mut Sink<'_>) -> Result<Summary, AudioError> {
    let format = sniff_file(path)?;
    let name = label(format);
    let structure = integrity::check(format, path)?;
    let watch = Watch::new(limits, name, std::fs::metadata(path)?.len());

    let source = MediaSourceStream::new(Box::new(File::open(path)?), Default::default());
    let mut hint = Hint::new();
    hint.with_extension(format.as_str());
    let mut reader = symphonia::default::get_probe()
        .probe(
            &hint,
            source,
            FormatOptions::default(),
            MetadataOptions::default(),
        )
        .map_err(|err| AudioError::Undecodable(format!("the {name} file cannot be read: {err}")))?;

    let track = reader
        .default_track(TrackType::Audio)
        .ok_or_else(|| AudioError::Undecodable(format!("the {name} file has no audio track")))?;
    let track_id = track.id;
    let declared_frames = track.num_frames;
    let params = track
        .codec_params
        .as_ref()
        .and_then(|p| p.audio())
        .ok_or_else(|| AudioError::Undecodable(format!("the {name} file has no audio track")))?;
    watch.spec(
        params.sample_rate,
        params.channels.as_ref().map(|c| c.count()),
    )?;
    if let (Some(frames), Some(rate)) = (declared_frames, params.sample_rate) {
        watch.length(frames, rate)?;
    }
    let mut codec = if params.codec == CODEC_ID_OPUS {
        Codec::Opus(Box::new(OpusStream::new(params)?))
    } else {
        let options = AudioDecoderOptions::default().verify(true);
        let decoder = symphonia::default::get_codecs()
            .make_audio_decoder(params, &options)
            .map_err(|err| {
                AudioError::Unsupported(format!(
                    "the {name} file holds audio in a codec Quorum cannot decode ({err}); \
                     supported: {SUPPORTED_FORMATS}"
                ))
            })?;
        Codec::Symphonia(decoder)
    };

    let mut stats = Stats::default();
    let mut spec: Option<(u32, usize)> = None;
    let mut interleaved = Vec::new();
    let mut ending: Option<Ending> = None;
    while let Some(packet) = next_packet(&mut *reader, format)? {
        if packet.track_id != track_id {
            continue;
        }
        stats.packets += 1;
        let decoded = match &mut codec {
            Codec::Symphonia(decoder) => {
                decode_symphonia(decoder.as_mut(), &packet, &mut interleaved)
            }
            Codec::Opus(opus) => {
                let channels = opus.channels();
                opus.decode(&packet)
                    .map_err(PacketError::Bad)
                    .map(|samples| {
                        interleaved.clear();
                        interleaved.extend_from_slice(samples);
                        (OPUS_RATE, channels)
                    })
            }
        };
        let (rate, channels) = match decoded {
            Ok(decoded) => decoded,
            Err(PacketError::Bad(reason)) => {
                stats.bad(reason);
                continue;
            }
            Err(PacketError::Fatal(err)) => return Err(err),
        };
        if interleaved.is_empty() || channels == 0 || rate == 0 {
            continue;
        }
        match spec {
            None => {
                watch.spec(Some(rate), Some(channels))?;
                spec = Some((rate, channels));
            }
            Some(first) if first != (rate, channels) => {
                return Err(AudioError::Undecodable(format!(
                    "the {name} stream changes from {} Hz, {} channel(s) to {rate} Hz, \
                     {channels} channel(s) midway",
                    first.0, first.1
                )));
            }
            Some(_) => {}
        }
        stats.frames += (interleaved.len() / channels) as u64;
        watch.length(stats.frames, rate)?;
        if structure.mp3_length_unknown {
            ending
                .get_or_insert_with(|| Ending::new(rate, channels))
                .push(&interleaved);
        }
        sink(&interleaved, rate, channels)?;
    }

    stats.verdict(name)?;
    let Some((sample_rate, channels)) = spec else {
        return Err(AudioError::Empty);
    };
    if ending.is_some_and(|ending| ending.is_abrupt()) {
        return Err(AudioError::Undecodable(
            "the MP3 file looks truncated: it has no header giving its length, and the \
             stream stops in the middle of sound instead of ending"
                .into(),
        ));
    }
    if let Codec::Symphonia(decoder) = &mut codec {
        if format == Format::Flac {
            check_flac(decoder.as_mut(), declared_frames, stats.frames)?;
        }
    }
    Ok(Summary {
        format,
        sample_rate,
        channels,
        frames: stats.frames,
    })
}

fn sniff_file(path: &Path) -> Result<Format, AudioError> {
    let mut head = Vec::with_capacity(64);
    File::open(path)?.take(64).read_to_end(&mut head)?;
    if head.is_empty() {
        return Err(AudioError::Empty);
    }
    sniff::sniff(&head).ok_or_else(|| {
        AudioError::Unsupported(format!(
            "{} is not an audio format Quorum reads; supported: {SUPPORTED_FORMATS}",
            describe(&head)
        ))
    })
}

/// A few words on what unrecognised bytes look like.
fn describe(head: &[u8]) -> String {
    // A multi-byte character may be cut at the end of the 64 bytes.
    let text = std::str::from_utf8(head)
        .unwrap_or_else(|err| std::str::from_utf8(&head[..err.valid_up_to()]).unwrap_or(""));
    if text.len() * 10 >= head.len() * 9
        && text.chars().all(|c| !c.is_control() || c.is_whitespace())
    {
        return "the file looks like text, which".into();
    }
    let signature: Vec<String> = head.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("a file starting with bytes {}", signature.join(" "))
}

fn next_packet(
    reader: &mut dyn FormatReader,
    format: Format,
) -> Result<Option<Packet>, AudioError> {
    let name = label(format);
    match reader.next_packet() {
        Ok(packet) => Ok(packet),
        // A WebM from a browser's recorder has clusters of unknown size and no duration: the
        // end of the file is the only end it has.
        Err(SymphoniaError::IoError(err))
            if err.kind() == std::io::ErrorKind::UnexpectedEof && format == Format::Webm =>
        {
            Ok(None)
        }
        Err(SymphoniaError::IoError(err)) if err.kind() == std::io::ErrorKind::UnexpectedEof => {
            Err(AudioError::Undecodable(format!(
                "the {name} file is truncated: it ends in the middle of a packet"
            )))
        }
        Err(SymphoniaError::IoError(err)) => Err(AudioError::Io(err)),
        Err(SymphoniaError::ResetRequired) => Err(AudioError::Undecodable(format!(
            "the {name} file chains several streams, which is not supported"
        ))),
        Err(err) => Err(AudioError::Undecodable(format!(
            "the {name} file is damaged: {err}"
        ))),
    }
}

enum PacketError {
    /// This packet cannot be decoded; the next may be.
    Bad(String),
    Fatal(AudioError),
}

fn decode_symphonia(
    decoder: &mut dyn AudioDecoder,
    packet: &Packet,
    interleaved: &mut Vec<f32>,
) -> Result<(u32, usize), PacketError> {
    match decoder.decode(packet) {
        Ok(buffer) => {
            buffer.copy_to_vec_interleaved(interleaved);
            Ok((buffer.spec().rate(), buffer.spec().channels().count()))
        }
        Err(SymphoniaError::DecodeError(reason)) => Err(PacketError::Bad(reason.to_string())),
        Err(SymphoniaError::IoError(err)) => Err(PacketError::Bad(err.to_string())),
        Err(SymphoniaError::Unsupported(feature)) => {
            Err(PacketError::Fatal(AudioError::Unsupported(format!(
                "the audio uses a feature Quorum cannot decode: {feature}"
            ))))
        }
        Err(err) => Err(PacketError::Fatal(AudioError::Undecodable(format!(
            "the audio cannot be decoded: {err}"
        )))),
    }
}

#[derive(Default)]
struct Stats {
    packets: u64,
    bad_packets: u64,
    first_reason: Option<String>,
    frames: u64,
}

impl Stats {
    fn bad(&mut self, reason: String) {
        self.bad_packets += 1;
        self.first_reason.get_or_insert(reason);
    }

    fn verdict(&self, name: &str) -> Result<(), AudioError> {
        let too_many = self.bad_packets * MAX_BAD_PACKET_RATIO > self.packets;
        if self.bad_packets > 0 && (self.frames == 0 || too_many) {
            return Err(AudioError::Undecodable(format!(
                "the {name} audio is corrupt: {} of {} packets could not be decoded ({})",
                self.bad_packets,
                self.packets,
                self.first_reason.as_deref().unwrap_or("no reason given")
            )));
        }
        Ok(())
    }
}

/// FLAC's STREAMINFO gives the total sample count and an MD5 of the audio.
fn check_flac(
    decoder: &mut dyn AudioDecoder,
    declared: Option<u64>,
    decoded: u64,
) -> Result<(), AudioError> {
    if let Some(declared) = declared.filter(|&n| n > decoded) {
        return Err(AudioError::Undecodable(format!(
            "the FLAC file is truncated: its header says {declared} samples, only {decoded} \
             could be decoded"
        )));
    }
    if decoder.finalize().verify_ok == Some(false) {
        return Err(AudioError::Undecodable(
            "the FLAC audio is corrupt: it does not match the checksum in its header".into(),
        ));
    }
    Ok(())
}
