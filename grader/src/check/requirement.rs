//! What each check requires, in the words its outcome states. The texts live beside the
//! checks that use them; this table finds the one for a check of a case, so `grader explain`
//! tells a student exactly the requirement a report will judge them on.

use super::{add_numbers, file_transfer, line_upload, rdt3, repeated_transfer, tcp_like};
use crate::case::load::{CompiledAnalyzer, LoadedCase};
use crate::case::{Analyzer, CheckId};

/// What `startup` requires, whatever the analyzer.
pub const STARTUP: &str = "both programs start";

/// The requirement `check` states in `loaded`'s reports; `None` for a check its analyzer
/// does not perform (loading refuses such a case).
pub fn requirement(loaded: &LoadedCase, check: CheckId) -> Option<String> {
    use CheckId as C;
    if check == C::Startup {
        return Some(STARTUP.to_owned());
    }
    let text = match (&loaded.case.analyzer, check) {
        (Analyzer::AlternatingBit(params), _) => {
            let CompiledAnalyzer::AlternatingBit { layout, .. } = &loaded.compiled else {
                return None;
            };
            let checksum = loaded
                .case
                .wire
                .as_ref()
                .and_then(|wire| wire.checksum.as_ref());
            match check {
                C::Format => return Some(rdt3::packets::format_requirement(layout)),
                C::Checksum => {
                    let spec = checksum.map(|spanned| &spanned.value);
                    return Some(rdt3::packets::checksum_requirement(spec));
                }
                C::RetransmissionTimer => return Some(rdt3::timer::requirement(&params.timer)),
                C::Completion => return Some(rdt3::completion::requirement(params.messages)),
                C::SeqAlternation => rdt3::sender::SEQ_ALTERNATION,
                C::IdenticalRetransmission => rdt3::sender::IDENTICAL_RETRANSMISSION,
                C::SenderReaction => rdt3::sender::SENDER_REACTION,
                C::AckBehaviour => rdt3::receiver::ACK_BEHAVIOUR,
                C::Delivery => rdt3::receiver::DELIVERY,
                C::LogLines => rdt3::logs::LOG_LINES,
                _ => return None,
            }
        }
        (Analyzer::AddNumbers(_), C::Exchange) => add_numbers::exchange::EXCHANGE,
        (Analyzer::AddNumbers(_), C::Names) => add_numbers::shown::NAMES,
        (Analyzer::AddNumbers(_), C::Sum) => add_numbers::shown::SUM,
        (Analyzer::AddNumbers(_), C::Shutdown) => add_numbers::shutdown::SHUTDOWN,
        (Analyzer::AddNumbers(_), C::Completion) => add_numbers::COMPLETION,
        (Analyzer::FileTransfer(_), C::Request) => file_transfer::blocks::REQUEST,
        (Analyzer::FileTransfer(params), C::BlockSizes) => {
            return Some(file_transfer::blocks::block_sizes_requirement(params.block));
        }
        (Analyzer::FileTransfer(_), C::FileCopy) => file_transfer::copy::FILE_COPY,
        (Analyzer::FileTransfer(params), C::Completion) => {
            return Some(file_transfer::completion::requirement(params.block));
        }
        (Analyzer::LineUpload(_), C::Framing) => line_upload::framing::FRAMING,
        (Analyzer::LineUpload(_), C::StatusBytes) => line_upload::status::STATUS_BYTES,
        (Analyzer::LineUpload(_), C::SavedFiles) => line_upload::files::SAVED_FILES,
        (Analyzer::LineUpload(_), C::ServerClose) => line_upload::status::SERVER_CLOSE,
        (Analyzer::LineUpload(_), C::ClientStatus) => line_upload::status::CLIENT_STATUS,
        (Analyzer::LineUpload(_), C::Completion) => line_upload::status::COMPLETION,
        (Analyzer::RepeatedTransfer(_), C::Connections) => repeated_transfer::network::CONNECTIONS,
        (Analyzer::RepeatedTransfer(_), C::StoredCopies) => {
            repeated_transfer::copies::STORED_COPIES
        }
        (Analyzer::RepeatedTransfer(_), C::ErrorCount) => repeated_transfer::copies::ERROR_COUNT,
        (Analyzer::RepeatedTransfer(_), C::RequiredLines) => {
            repeated_transfer::lines::REQUIRED_LINES
        }
        (Analyzer::RepeatedTransfer(_), C::Timings) => repeated_transfer::timing::TIMINGS,
        (Analyzer::RepeatedTransfer(_), C::Average) => repeated_transfer::timing::AVERAGE,
        (Analyzer::RepeatedTransfer(_), C::Address) => repeated_transfer::network::ADDRESS,
        (Analyzer::RepeatedTransfer(_), C::Completion) => repeated_transfer::COMPLETION,
        (Analyzer::TcpLike(_), C::Format) => tcp_like::format::FORMAT,
        (Analyzer::TcpLike(_), C::Handshake) => tcp_like::connection::HANDSHAKE,
        (Analyzer::TcpLike(_), C::ConnectionId) => tcp_like::connection::CONNECTION_ID,
        (Analyzer::TcpLike(_), C::SequenceNumbers) => tcp_like::numbers::SEQUENCE_NUMBERS,
        (Analyzer::TcpLike(_), C::IdenticalRetransmission) => {
            tcp_like::numbers::IDENTICAL_RETRANSMISSION
        }
        (Analyzer::TcpLike(_), C::Close) => tcp_like::close::CLOSE,
        (Analyzer::TcpLike(_), C::FileCopy) => tcp_like::copy::FILE_COPY,
        (Analyzer::TcpLike(_), C::LogLines) => tcp_like::log::LOG_LINES,
        _ => return None,
    };
    Some(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::CaseSource;
    use crate::case::builtin::builtin_names;
    use crate::case::load::load_case;

    #[test]
    fn every_check_an_analyzer_performs_has_a_requirement() {
        for name in builtin_names() {
            let loaded = load_case(&CaseSource::Builtin(name.to_owned())).unwrap();
            for &check in loaded.case.analyzer.checks() {
                let text = requirement(&loaded, check);
                assert!(
                    text.as_deref().is_some_and(|text| !text.is_empty()),
                    "{name}: `{check}` has no requirement"
                );
            }
        }
    }
}
