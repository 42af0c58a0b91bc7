//! grammers' raw media into the port's ([`TelegramMedia`]), where a file is downloaded
//! from, and the raw media a chat file is sent as: pure functions, unit-tested without
//! Telegram.

use grammers_tl_types as tl;

use crate::media::{FileKind, MediaFile, OutgoingFile, TelegramMedia};

/// A photo's MIME type: Telegram recompresses every photo as JPEG.
const PHOTO_MIME: &str = "image/jpeg";

/// The port's media for a message's raw media, or `None` when there is none to show:
/// nothing attached, or a link preview (the link is in the text).
#[must_use]
pub fn map_media(raw: &tl::enums::MessageMedia) -> Option<TelegramMedia> {
    use tl::enums::MessageMedia as M;
    let other = |what: &str| Some(TelegramMedia::Other { what: what.into() });
    match raw {
        M::Empty | M::WebPage(_) => None,
        M::Photo(m) => match &m.photo {
            Some(tl::enums::Photo::Photo(photo)) => Some(TelegramMedia::File(photo_file(photo))),
            // A self-destructing photo that expired.
            _ => other("photo"),
        },
        M::Document(m) => match &m.document {
            Some(tl::enums::Document::Document(doc)) => Some(document(doc)),
            _ => other("file"),
        },
        M::Geo(m) => location(&m.geo),
        M::GeoLive(m) => location(&m.geo),
        M::Venue(m) => location(&m.geo),
        M::Contact(m) => Some(TelegramMedia::Contact {
            name: joined(&m.first_name, &m.last_name),
        }),
        M::Poll(m) => {
            let tl::enums::Poll::Poll(poll) = &m.poll;
            let tl::enums::TextWithEntities::Entities(question) = &poll.question;
            Some(TelegramMedia::Poll {
                question: question.text.clone(),
            })
        }
        M::Dice(m) => other(&format!("dice {}", m.emoticon)),
        M::Game(_) => other("game"),
        M::Invoice(_) => other("invoice"),
        M::Story(_) => other("story"),
        M::Giveaway(_) | M::GiveawayResults(_) => other("giveaway"),
        M::PaidMedia(_) => other("paid media"),
        M::ToDo(_) => other("checklist"),
        M::VideoStream(_) => other("video stream"),
        M::Unsupported => other("message this Telegram version cannot show"),
    }
}

/// Where a message's file is downloaded from.
#[derive(Debug, Clone, PartialEq)]
pub struct FileLocation {
    /// What `upload.getFile` names.
    pub location: tl::enums::InputFileLocation,
    /// The data center that keeps the file.
    pub dc_id: i32,
    /// Its size in bytes.
    pub size: usize,
}

/// Where the file of a message's raw media is downloaded from (the photo in its
/// largest size), if it carries one.
#[must_use]
pub fn file_location(raw: &tl::enums::MessageMedia) -> Option<FileLocation> {
    match raw {
        tl::enums::MessageMedia::Photo(tl::types::MessageMediaPhoto {
            photo: Some(tl::enums::Photo::Photo(photo)),
            ..
        }) => {
            let (kind, _, size) = largest_size(photo)?;
            Some(FileLocation {
                location: tl::types::InputPhotoFileLocation {
                    id: photo.id,
                    access_hash: photo.access_hash,
                    file_reference: photo.file_reference.clone(),
                    thumb_size: kind.to_owned(),
                }
                .into(),
                dc_id: photo.dc_id,
                size,
            })
        }
        tl::enums::MessageMedia::Document(tl::types::MessageMediaDocument {
            document: Some(tl::enums::Document::Document(doc)),
            ..
        }) => Some(FileLocation {
            location: tl::types::InputDocumentFileLocation {
                id: doc.id,
                access_hash: doc.access_hash,
                file_reference: doc.file_reference.clone(),
                // Empty: the document itself, not a thumbnail.
                thumb_size: String::new(),
            }
            .into(),
            dc_id: doc.dc_id,
            size: usize::try_from(doc.size).unwrap_or(usize::MAX),
        }),
        _ => None,
    }
}

/// The raw media `file`, uploaded as `uploaded`, is sent as: a photo, a voice note, or a
/// document with its file name and MIME type.
#[must_use]
pub fn input_media(
    file: OutgoingFile<'_>,
    uploaded: tl::enums::InputFile,
) -> tl::enums::InputMedia {
    if file.kind == FileKind::Photo {
        return tl::types::InputMediaUploadedPhoto {
            spoiler: false,
            live_photo: false,
            file: uploaded,
            stickers: None,
            ttl_seconds: None,
            video: None,
        }
        .into();
    }
    let mut attributes = vec![
        tl::types::DocumentAttributeFilename {
            file_name: file.name.to_owned(),
        }
        .into(),
    ];
    if file.kind == FileKind::Voice {
        attributes.push(
            tl::types::DocumentAttributeAudio {
                voice: true,
                duration: file
                    .duration_secs
                    .map_or(0, |d| i32::try_from(d).unwrap_or(i32::MAX)),
                title: None,
                performer: None,
                waveform: None,
            }
            .into(),
        );
    }
    tl::types::InputMediaUploadedDocument {
        nosound_video: false,
        // Shown as the file it is, never turned into a video or a sticker.
        force_file: file.kind == FileKind::Document,
        spoiler: false,
        file: uploaded,
        thumb: None,
        mime_type: file.mime_type.to_owned(),
        attributes,
        stickers: None,
        video_cover: None,
        video_timestamp: None,
        ttl_seconds: None,
    }
    .into()
}

fn photo_file(photo: &tl::types::Photo) -> MediaFile {
    let (width, height, size) = largest_size(photo).map_or((None, None, 0), |(_, (w, h), size)| {
        (Some(w), Some(h), size as u64)
    });
    MediaFile {
        kind: FileKind::Photo,
        name: None,
        mime_type: PHOTO_MIME.to_owned(),
        size,
        width,
        height,
        duration_secs: None,
    }
}

/// A photo's largest size: its type letter, `(width, height)` and bytes.
fn largest_size(photo: &tl::types::Photo) -> Option<(&str, (u32, u32), usize)> {
    photo
        .sizes
        .iter()
        .filter_map(|size| match size {
            tl::enums::PhotoSize::Size(s) => Some((s.r#type.as_str(), (s.w, s.h), s.size)),
            // A progressive JPEG's last size is the whole image.
            tl::enums::PhotoSize::Progressive(s) => {
                Some((s.r#type.as_str(), (s.w, s.h), *s.sizes.last()?))
            }
            _ => None,
        })
        .max_by_key(|(_, (w, h), _)| i64::from(*w) * i64::from(*h))
        .map(|(kind, (w, h), size)| {
            let dimension = |v: i32| u32::try_from(v).unwrap_or_default();
            (
                kind,
                (dimension(w), dimension(h)),
                usize::try_from(size).unwrap_or_default(),
            )
        })
}

/// A document by its attributes: a sticker, a voice note, audio, a video, or a file.
fn document(doc: &tl::types::Document) -> TelegramMedia {
    use tl::enums::DocumentAttribute as A;
    let mut file = MediaFile {
        kind: FileKind::Document,
        name: None,
        mime_type: doc.mime_type.clone(),
        size: u64::try_from(doc.size).unwrap_or_default(),
        width: None,
        height: None,
        duration_secs: None,
    };
    let seconds = |s: f64| Some(s.max(0.0).round() as u32);
    for attribute in &doc.attributes {
        match attribute {
            A::Sticker(sticker) => {
                return TelegramMedia::Sticker {
                    emoji: Some(sticker.alt.clone()).filter(|e| !e.is_empty()),
                };
            }
            A::Filename(name) => file.name = Some(name.file_name.clone()),
            A::Audio(audio) => {
                file.kind = if audio.voice {
                    FileKind::Voice
                } else {
                    FileKind::Audio
                };
                file.duration_secs = seconds(f64::from(audio.duration));
            }
            A::Video(video) => {
                file.kind = FileKind::Video;
                file.width = u32::try_from(video.w).ok();
                file.height = u32::try_from(video.h).ok();
                file.duration_secs = seconds(video.duration);
            }
            A::ImageSize(size) => {
                file.width = u32::try_from(size.w).ok();
                file.height = u32::try_from(size.h).ok();
            }
            A::Animated | A::HasStickers | A::CustomEmoji(_) => {}
        }
    }
    TelegramMedia::File(file)
}

fn location(geo: &tl::enums::GeoPoint) -> Option<TelegramMedia> {
    Some(match geo {
        tl::enums::GeoPoint::Point(p) => TelegramMedia::Location {
            latitude: p.lat,
            longitude: p.long,
        },
        tl::enums::GeoPoint::Empty => TelegramMedia::Other {
            what: "location".into(),
        },
    })
}

fn joined(first: &str, last: &str) -> String {
    [first.trim(), last.trim()]
        .into_iter()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
#[path = "media_tests.rs"]
mod tests;
